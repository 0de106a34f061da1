using Isrm.Model.Tokenization;
using Isrm.Model.Runtime;

namespace Isrm.Web.Refinement;

/// <summary>The production backend: the model library's checkpoints of every task, its generator and its puzzle solver.</summary>
public sealed class CheckpointBackend(IOptions<ModelServiceOptions> options) : IGenerationBackend
{
    public CheckpointDescription Inspect(string directory)
    {
        try
        {
            if (CheckpointFolder.IsPuzzle(directory))
            {
                var (config, metadata) = PuzzleCheckpoint.Inspect(directory);
                string summary = $"{config.Architecture}, width {config.Width}, {metadata.Step:N0} steps on {metadata.Corpus}";
                return new CheckpointDescription(config.Architecture, metadata.ParameterCount, summary, null, Task: config.Task);
            }
            CheckpointInfo info = Checkpoint.Inspect(directory);
            return new CheckpointDescription(info.Family, info.ParameterCount, info.TrainingSummary, null,
                info.Config.MaxContext, TokenizerStore.KindOf(directory) == ByteTokenizer.KindName, info.Config.IsSinglePass);
        }
        catch (CheckpointException e)
        {
            // a broken puzzle checkpoint is listed with the puzzles, where a user would look for it
            return CheckpointDescription.Unusable(e.Message) with { Task = CheckpointFolder.IsPuzzle(directory) ? "puzzle" : CheckpointTasks.Text };
        }
    }

    /// <summary>Any checkpoint through the one loader; the task decides which of the two requests it serves.</summary>
    public ILoadedModel Load(string directory) => CheckpointFolder.Open(directory, ComputeDevice.Parse(options.Value.Device)) switch
    {
        LoadedPuzzleCheckpoint puzzle => new LoadedPuzzle(puzzle),
        LoadedCheckpoint text => new LoadedModel(text, options.Value.MaxBatch),
        ILoadedNetwork other => throw new CheckpointException($"Checkpoint '{other.Name}' has a kind this server does not serve."),
    };

    // The checkpoint's scheduler advances every request in turn on the model thread and joins their refinement steps.
    private sealed class LoadedModel(LoadedCheckpoint checkpoint, int maxBatch) : ILoadedModel
    {
        public StepScheduler Scheduler { get; } = new(checkpoint.Model, slots: maxBatch);

        public IEnumerable<GenerationEvent> Generate(GenerationRequest request, CancellationToken cancellation) =>
            Generator.Generate(checkpoint, request, cancellation, Scheduler.Network);

        public IEnumerable<PuzzleFrame> Solve(Puzzle puzzle, PuzzleSolveOptions options, CancellationToken cancellation) =>
            throw new ArgumentException($"Checkpoint '{checkpoint.Info.Name}' is a text model: it generates text and solves no puzzle.");

        public void Dispose()
        {
            Scheduler.Dispose();
            checkpoint.Dispose();
        }
    }

    private sealed class LoadedPuzzle(LoadedPuzzleCheckpoint checkpoint) : ILoadedModel
    {
        public StepScheduler Scheduler { get; } = new(checkpoint.Network);

        public IEnumerable<GenerationEvent> Generate(GenerationRequest request, CancellationToken cancellation) =>
            throw new ArgumentException($"Checkpoint '{checkpoint.Name}' solves {checkpoint.Config.Task}: open it on the Puzzles page.");

        public IEnumerable<PuzzleFrame> Solve(Puzzle puzzle, PuzzleSolveOptions options, CancellationToken cancellation) =>
            PuzzleSolver.Solve(checkpoint.Network, puzzle, options, cancellation, Scheduler.Network);

        public void Dispose()
        {
            Scheduler.Dispose();
            checkpoint.Dispose();
        }
    }
}
