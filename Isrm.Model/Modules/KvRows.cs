namespace Isrm.Model.Modules;

/// <summary>
/// The caches of one attention layer in a batched step over R requests (<see cref="GroupedQueryAttention.ForwardRows"/>):
/// each row's own buffer and new position, and (R, 1, 1, Span) which of the first <see cref="Span"/> keys each row reads.
/// </summary>
public sealed record KvRows(IReadOnlyList<KvBuffer> Buffers, IReadOnlyList<int> Offsets, Tensor Mask, int Span);
