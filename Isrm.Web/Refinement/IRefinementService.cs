namespace Isrm.Web.Refinement;

/// <summary>
/// The app's one way to the model, in process: lists checkpoints and streams refinement frames. Pages inject it;
/// the SignalR hub adapts it for outside clients. Validation, the checkpoint catalog, queues and the per-checkpoint
/// workers live behind it; callers never see a tensor, a thread or an exception for something a user did.
/// </summary>
public interface IRefinementService
{
    /// <summary>Every checkpoint folder, sorted by name; an unusable one says why.</summary>
    IReadOnlyList<CheckpointListing> ListCheckpoints();

    /// <summary>The checkpoint an empty <see cref="RefinementRequest.Checkpoint"/> means.</summary>
    string DefaultCheckpoint { get; }

    /// <summary>The largest K a request may ask for (<c>Isrm:Model:MaxLoops</c>); also the cap of K = ∞.</summary>
    int MaxLoops { get; }

    /// <summary>
    /// Streams the frames of one generation: <c>started</c>, <c>queued</c> while it waits, steps and tokens, then
    /// <c>done</c> — or an <see cref="ErrorFrame"/> as the last frame when the request is refused or fails (bad
    /// input, unknown checkpoint, busy, a checkpoint that will not load). Cancelling <paramref name="cancellation"/>
    /// or leaving the enumeration early stops the computation within one refinement step and throws
    /// <see cref="OperationCanceledException"/> to the caller.
    /// </summary>
    IAsyncEnumerable<RefinementFrame> Generate(RefinementRequest request, CancellationToken cancellation = default);
}
