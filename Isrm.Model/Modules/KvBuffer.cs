namespace Isrm.Model.Modules;

/// <summary>
/// Preallocated keys and values of one attention layer for one network call: (B, Hkv, MaxContext, hd) — its own, or
/// one slot of tensors shared by the requests refined together (<see cref="KvSlots"/>).
/// </summary>
public sealed class KvBuffer : IDisposable
{
    public Tensor Keys { get; }
    public Tensor Values { get; }
    /// <summary>Positions filled so far.</summary>
    public int Length { get; set; }
    /// <summary>The shared (Slots, Hkv, MaxContext, hd) tensors this buffer is a slot of, or null for a buffer of its own.</summary>
    public (Tensor Keys, Tensor Values)? Shared { get; private init; }
    /// <summary>This buffer's slot in <see cref="Shared"/>.</summary>
    public int Slot { get; private init; }

    private KvBuffer(Tensor keys, Tensor values) => (Keys, Values) = (keys, values);

    /// <summary>Slot <paramref name="slot"/> of shared tensors, zeroed (a slot held another request before).</summary>
    public static KvBuffer InSlot(Tensor keys, Tensor values, int slot)
    {
        using (no_grad())
        {
            var buffer = new KvBuffer(keys.narrow(0, slot, 1).DetachFromDisposeScope(), values.narrow(0, slot, 1).DetachFromDisposeScope())
            {
                Shared = (keys, values), Slot = slot,
            };
            buffer.Keys.zero_();
            buffer.Values.zero_();
            return buffer;
        }
    }

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
