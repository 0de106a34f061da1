using System.Runtime.CompilerServices;

namespace Isrm.Tests.Web;

/// <summary>An <see cref="IRefinementService"/> that replays frames, optionally one by one on demand.</summary>
internal sealed class FakeRefinementService : IRefinementService
{
    public List<CheckpointListing> Checkpoints { get; } =
    [
        new("tiny", "isrm", 52_801, "0 steps", true, null),
        new("broken", "", 0, "", false, "Checkpoint 'broken' is truncated."),
    ];
    public List<RefinementRequest> Requests { get; } = [];
    /// <summary>When set, the request is answered with this error frame.</summary>
    public string? Refuse { get; set; }
    /// <summary>When set, each frame waits for a release (lets a test stop mid-stream).</summary>
    public SemaphoreSlim? Gate { get; set; }
    /// <summary>When set, the request is reported queued behind this many others before its first frame.</summary>
    public int? QueueAhead { get; set; }
    /// <summary>When set, the reply is these characters, one token each (K steps, the last step's top token the chosen one).</summary>
    public string? Reply { get; set; }

    public string DefaultCheckpoint => "tiny";

    public int MaxK { get; set; } = 256;

    public IReadOnlyList<CheckpointListing> ListCheckpoints() => Checkpoints;

    /// <summary>The chat's fake holds no puzzle checkpoint: a solve is refused as the real service refuses an unknown one.</summary>
    public async IAsyncEnumerable<RefinementFrame> Solve(
        Isrm.Web.Puzzles.SolveRequest request, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        await Task.Yield();
        yield return new ErrorFrame("Unknown puzzle checkpoint: the checkpoints folder holds none.");
    }

    public async IAsyncEnumerable<RefinementFrame> Generate(
        RefinementRequest request, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        Requests.Add(request);
        if (Refuse is not null)
        {
            yield return new ErrorFrame(Refuse);
            yield break;
        }
        yield return new StartedFrame(new string('a', 32), request.Checkpoint ?? DefaultCheckpoint);
        if (QueueAhead is int ahead) yield return new QueuedFrame(ahead);
        foreach (RefinementFrame frame in Reply is null ? Frames.Run(request.MaxTokens, request.K.Steps ?? 5) : Frames.Text(Reply, request.K.Steps ?? 5))
        {
            if (Gate is not null) await Gate.WaitAsync(cancellation);
            cancellation.ThrowIfCancellationRequested();
            yield return frame;
        }
    }
}
