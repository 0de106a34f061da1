namespace Isrm.Web.Refinement;

/// <summary>
/// The model library as the web layer sees it: inspect a folder of any task, load it, generate text or solve a
/// puzzle. Load, Generate and Solve run on the model thread; the web layer never sees a tensor.
/// </summary>
public interface IGenerationBackend
{
    /// <summary>Reads a checkpoint's description without loading weights; never throws for a bad folder.</summary>
    CheckpointDescription Inspect(string directory);

    /// <summary>Loads the weights (on the model thread).</summary>
    ILoadedModel Load(string directory);
}

/// <summary>
/// A loaded checkpoint: a text model generates, a puzzle network solves. Several requests run at once, advanced in turn
/// on the checkpoint's one thread by its <see cref="Scheduler"/>, which joins their refinement steps where the network
/// allows (continuous batching).
/// </summary>
public interface ILoadedModel : IDisposable
{
    /// <summary>
    /// The scheduler whose network every generation and solve of this model refines with: the worker adds each running
    /// request to it as a run and advances them. A model that refines nothing (a stand-in) gives a scheduler without a network.
    /// </summary>
    StepScheduler Scheduler { get; }

    IEnumerable<GenerationEvent> Generate(GenerationRequest request, CancellationToken cancellation);

    /// <summary>One frame per step of one puzzle (<see cref="PuzzleSolver"/>).</summary>
    IEnumerable<PuzzleFrame> Solve(Puzzle puzzle, PuzzleSolveOptions options, CancellationToken cancellation);
}

/// <summary>What a checkpoint folder says about itself, or why it cannot be used.</summary>
/// <param name="Family">A text model's family, or a puzzle network's architecture.</param>
/// <param name="MaxContext">Tokens the model reads at most (0 = unknown).</param>
/// <param name="ByteTokens">True when its tokenizer makes one token per UTF-8 byte.</param>
/// <param name="Task"><see cref="CheckpointTasks.Text"/>, or the puzzle task it solves (mazes, prefix-sums).</param>
public sealed record CheckpointDescription(
    string Family, long ParameterCount, string TrainingSummary, string? Error, int MaxContext = 0, bool ByteTokens = false,
    bool SinglePass = false, string Task = CheckpointTasks.Text)
{
    public bool Usable => Error is null;
    public static CheckpointDescription Unusable(string error) => new("", 0, "", error);
}

/// <summary>The task field of a listing: text models generate; every other value names the puzzle task a network solves.</summary>
public static class CheckpointTasks
{
    public const string Text = "text";

    public static bool IsPuzzle(string task) => task != Text;
}
