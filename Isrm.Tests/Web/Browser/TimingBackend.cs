using System.Collections.Concurrent;

namespace Isrm.Tests.Web.Browser;

/// <summary>What the model did in one generation, seen from the model's side of the server.</summary>
public sealed class GenerationTiming
{
    public string Prompt = "";
    public int Steps;
    /// <summary>Steps the model had made when the cancellation reached it; null when never cancelled.</summary>
    public int? StepsAtCancel;
    /// <summary>When the model emitted its done frame (UTC).</summary>
    public DateTimeOffset? DoneAt;
    public Isrm.Model.Generation.StopReason? StopReason;
}

/// <summary>Wraps the real checkpoint backend and records, per generation, when the done frame left the model and how many steps followed a cancellation.</summary>
public sealed class TimingBackend(IGenerationBackend inner) : IGenerationBackend
{
    public ConcurrentQueue<GenerationTiming> Runs { get; } = new();

    public CheckpointDescription Inspect(string directory) => inner.Inspect(directory);

    public ILoadedModel Load(string directory) => new Timed(inner.Load(directory), this);

    private sealed class Timed(ILoadedModel model, TimingBackend owner) : ILoadedModel
    {
        public StepScheduler Scheduler => model.Scheduler;

        public IEnumerable<GenerationEvent> Generate(GenerationRequest request, CancellationToken cancellation)
        {
            var timing = new GenerationTiming { Prompt = request.Prompt };
            owner.Runs.Enqueue(timing);
            using CancellationTokenRegistration registration = cancellation.Register(() => timing.StepsAtCancel ??= Volatile.Read(ref timing.Steps));
            foreach (GenerationEvent e in model.Generate(request, cancellation))
            {
                if (e is StepEvent) Interlocked.Increment(ref timing.Steps);
                if (e is DoneEvent done)
                {
                    timing.DoneAt = DateTimeOffset.UtcNow;
                    timing.StopReason = done.StopReason;
                }
                yield return e;
            }
        }

        public IEnumerable<Isrm.Model.Reasoning.PuzzleFrame> Solve(
            Isrm.Model.Reasoning.Puzzle puzzle, Isrm.Model.Reasoning.PuzzleSolveOptions options, CancellationToken cancellation) =>
            model.Solve(puzzle, options, cancellation);

        public void Dispose() => model.Dispose();
    }
}
