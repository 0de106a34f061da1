using System.Runtime.CompilerServices;
using Isrm.Web.Client;
using Isrm.Web.Hubs;

namespace Isrm.Tests.Web;

/// <summary>An <see cref="IRefinementApi"/> that replays frames, optionally one by one on demand.</summary>
internal sealed class FakeRefinementApi : IRefinementApi
{
    public List<CheckpointListing> Checkpoints { get; } =
    [
        new("tiny", "isrm", 52_801, "0 steps", true, null),
        new("broken", "", 0, "", false, "Checkpoint 'broken' is truncated."),
    ];
    public List<GenerateRequestDto> Requests { get; } = [];
    public string? Refuse { get; set; }
    /// <summary>When set, each frame waits for a release (lets a test stop mid-stream).</summary>
    public SemaphoreSlim? Gate { get; set; }
    /// <summary>When set, the request is reported queued behind this many others before its first frame.</summary>
    public int? QueueAhead { get; set; }

    public event Func<int, Task>? Queued;

    public Task<IReadOnlyList<CheckpointListing>> ListCheckpointsAsync(CancellationToken cancellation = default) =>
        Task.FromResult<IReadOnlyList<CheckpointListing>>(Checkpoints);

    public async IAsyncEnumerable<RefinementFrame> GenerateAsync(
        GenerateRequestDto request, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        Requests.Add(request);
        if (Refuse is not null) throw new RefinementException(Refuse);
        if (QueueAhead is int ahead && Queued is not null) await Queued(ahead);
        foreach (RefinementFrame frame in Frames.Run(request.MaxTokens, request.K.Steps ?? 5))
        {
            if (Gate is not null) await Gate.WaitAsync(cancellation);
            cancellation.ThrowIfCancellationRequested();
            yield return frame;
        }
    }
}
