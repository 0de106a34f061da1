namespace Isrm.Model.Modules;

/// <summary>Preallocated keys and values of one attention layer for one network call: (B, Hkv, MaxContext, hd).</summary>
public sealed class KvBuffer : IDisposable
{
    public Tensor Keys { get; }
    public Tensor Values { get; }
    /// <summary>Positions filled so far.</summary>
    public int Length { get; set; }

    public KvBuffer(long batch, long kvHeads, long maxContext, long headDim, Device device)
    {
        // Owned by the cache, not by whatever dispose scope happens to be open when a step first needs it.
        Keys = zeros(new[] { batch, kvHeads, maxContext, headDim }, device: device).DetachFromDisposeScope();
        Values = zeros(new[] { batch, kvHeads, maxContext, headDim }, device: device).DetachFromDisposeScope();
    }

    /// <summary>Copies positions [from, to) from another buffer (a halted position presents its last keys/values).</summary>
    public void CopyRange(KvBuffer source, int from, int to)
    {
        if (to <= from) return;
        using (no_grad())
        {
            Keys.narrow(2, from, to - from).copy_(source.Keys.narrow(2, from, to - from));
            Values.narrow(2, from, to - from).copy_(source.Values.narrow(2, from, to - from));
        }
        Length = Math.Max(Length, to);
    }

    public void Dispose()
    {
        Keys.Dispose();
        Values.Dispose();
    }
}
