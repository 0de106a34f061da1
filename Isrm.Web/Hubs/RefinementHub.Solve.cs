namespace Isrm.Web.Hubs;

/// <summary>The puzzle methods of the hub: thin adapters over the same <see cref="IRefinementService"/> the pages use.</summary>
public sealed partial class RefinementHub
{
    /// <summary>Every puzzle checkpoint folder; an unusable one says why.</summary>
    public IReadOnlyList<CheckpointListing> ListPuzzleCheckpoints() => refinement.ListCheckpoints().Where(c => c.IsPuzzle).ToList();

    /// <summary>
    /// Streams a solve: <c>puzzle</c>, <c>queued</c> while it waits, <c>puzzle-step</c> frames, <c>puzzle-done</c>. A
    /// refused or failed request is a <see cref="HubException"/> with one sentence; cancelling the stream stops the
    /// model before its next step.
    /// </summary>
    public async IAsyncEnumerable<WireFrame> Solve(SolveRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        await foreach (RefinementFrame frame in refinement.Solve(request, cancellation))
        {
            if (frame is ErrorFrame error) throw new HubException(error.Message);
            yield return new WireFrame(frame);
        }
    }
}
