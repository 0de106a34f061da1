namespace Isrm.Web.Refinement;

/// <summary>
/// The app's one way to the model, in process, for every task: lists checkpoints and streams refinement frames of
/// generations and puzzle solves. Every page injects it; the SignalR hub adapts it for outside clients. Validation,
/// the checkpoint catalog, the queues, the loaded-model budget and the per-checkpoint workers live behind it; callers
/// never see a tensor, a thread or an exception for something a user did.
/// </summary>
public interface IRefinementService
{
    /// <summary>Every checkpoint folder, text and puzzle (<see cref="CheckpointListing.Task"/>), sorted by name; an unusable one says why.</summary>
    IReadOnlyList<CheckpointListing> ListCheckpoints();

    /// <summary>The checkpoint an empty <see cref="RefinementRequest.Checkpoint"/> means.</summary>
    string DefaultCheckpoint { get; }

    /// <summary>The largest K a request may ask for (<c>Isrm:Model:MaxK</c>); also the cap of K = ∞.</summary>
    int MaxK { get; }

    /// <summary>
    /// Streams the frames of one generation: <c>started</c>, <c>queued</c> while it waits, steps and tokens, then
    /// <c>done</c> — or an <see cref="ErrorFrame"/> as the last frame when the request is refused or fails (bad
    /// input, unknown checkpoint, busy, a checkpoint that will not load). Cancelling <paramref name="cancellation"/>
    /// or leaving the enumeration early stops the computation within one refinement step and throws
    /// <see cref="OperationCanceledException"/> to the caller.
    /// </summary>
    IAsyncEnumerable<RefinementFrame> Generate(RefinementRequest request, CancellationToken cancellation = default);

    /// <summary>
    /// Streams the frames of one puzzle solve: <c>puzzle</c> (the instance), <c>queued</c> while it waits, the reported
    /// <c>puzzle-step</c>s and <c>puzzle-done</c> — or an <see cref="ErrorFrame"/> as the last frame when the request is
    /// refused or fails. Cancelling or leaving early stops the model before its next step, as for a generation.
    /// </summary>
    IAsyncEnumerable<RefinementFrame> Solve(Puzzles.SolveRequest request, CancellationToken cancellation = default);
}
