namespace Isrm.Web.Hubs;

/// <summary>
/// <c>/hubs/refinement</c>, for clients outside the app: a thin adapter over <see cref="IRefinementService"/> (which
/// the pages use in process), streaming the same frames (as <see cref="WireFrame"/>, so each keeps its <c>kind</c>). An <c>error</c> frame becomes a <see cref="HubException"/>
/// carrying the same sentence; <c>started</c> and <c>queued</c> are also sent as the callbacks
/// <see cref="IRefinementHubClient.Started"/> and <see cref="IRefinementHubClient.Queued"/>.
/// </summary>
public sealed partial class RefinementHub(IRefinementService refinement, GenerationBroadcaster watchers)
    : Hub<IRefinementHubClient>
{
    public const string Path = "/hubs/refinement";

    /// <summary>Every text checkpoint folder (the puzzle ones: <see cref="ListPuzzleCheckpoints"/>); an unusable one says why.</summary>
    public IReadOnlyList<CheckpointListing> ListCheckpoints() => TextCheckpoints.List(refinement);

    /// <summary>Streams the frames of one generation; cancelling the stream stops the computation.</summary>
    public async IAsyncEnumerable<WireFrame> Generate(
        RefinementRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        IRefinementHubClient caller = Clients.Caller;
        await foreach (RefinementFrame frame in watchers.Publish(refinement.Generate(request, cancellation), cancellation))
        {
            switch (frame)
            {
                case ErrorFrame error:
                    throw new HubException(error.Message);
                case StartedFrame started:
                    await caller.Started(started.GenerationId);
                    break;
                case QueuedFrame queued:
                    await caller.Queued(queued.Ahead);
                    break;
            }
            yield return new WireFrame(frame);
        }
    }
}
