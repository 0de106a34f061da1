using Isrm.Web.Hubs;

namespace Isrm.Web.Client;

/// <summary>The refinement hub as the pages use it (a SignalR client in production, a fake in component tests).</summary>
public interface IRefinementApi
{
    Task<IReadOnlyList<CheckpointListing>> ListCheckpointsAsync(CancellationToken cancellation = default);

    /// <summary>Streams frames; cancelling stops the server's computation. Hub errors surface as <see cref="RefinementException"/>.</summary>
    IAsyncEnumerable<RefinementFrame> GenerateAsync(GenerateRequestDto request, CancellationToken cancellation = default);

    /// <summary>The hub put a request of this connection behind this many others (raised before its first frame).</summary>
    event Func<int, Task>? Queued;
}

/// <summary>A request the hub refused, with its one-sentence reason.</summary>
public sealed class RefinementException(string message) : Exception(message);
