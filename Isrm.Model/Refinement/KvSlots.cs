namespace Isrm.Model.Refinement;

/// <summary>
/// Keys and values of the requests refined together on one model, side by side: for each refinement step k up to
/// <see cref="Steps"/> and each network call and layer, one (Slots, Hkv, MaxContext, hd) tensor, made when a request
/// first reaches step k. A request's <see cref="RefinementCache"/> leases one slot and its buffers for those steps are
/// views of it, so a joined step writes and reads the keys of all its requests in one call each
/// (<see cref="GroupedQueryAttention.ForwardRows"/>). Steps beyond <see cref="Steps"/>, and requests that find every slot
/// taken, keep buffers of their own (still joined, one row at a time). Thread-safe: requests run on their own threads.
/// </summary>
public sealed class KvSlots : IDisposable
{
    private readonly IsrmConfig _config;
    private readonly Device _device;
    private readonly Lock _gate = new();
    private readonly List<(Tensor Keys, Tensor Values)[]> _steps = [];   // [k−1][call · layers + layer]
    private readonly Stack<int> _free;

    public KvSlots(IsrmConfig config, Device device, int slots, int steps = 32)
    {
        _config = config;
        _device = device;
        Slots = slots;
        Steps = steps;
        _free = new Stack<int>(Enumerable.Range(0, slots).Reverse());
    }

    public int Slots { get; }

    /// <summary>Steps held side by side; later steps of a request use buffers of its own.</summary>
    public int Steps { get; }

    /// <summary>A free slot, or null when every slot is leased.</summary>
    public int? Lease()
    {
        lock (_gate) return _free.Count > 0 ? _free.Pop() : null;
    }

    public void Release(int slot)
    {
        lock (_gate) _free.Push(slot);
    }

    /// <summary>The buffer of one network call and layer (<paramref name="index"/>) at step k for a slot: a view, zeroed.</summary>
    public KvBuffer Buffer(int k, int index, int slot)
    {
        (Tensor Keys, Tensor Values) pool;
        lock (_gate)
        {
            while (_steps.Count < k)
            {
                int buffers = (_config.LatentIterations + 1) * _config.Layers;
                _steps.Add(Enumerable.Range(0, buffers).Select(_ =>
                {
                    long[] shape = [Slots, _config.KvHeads, _config.MaxContext, _config.HeadDim];
                    return (zeros(shape, device: _device).DetachFromDisposeScope(), zeros(shape, device: _device).DetachFromDisposeScope());
                }).ToArray());
            }
            pool = _steps[k - 1][index];
        }
        return KvBuffer.InSlot(pool.Keys, pool.Values, slot);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var step in _steps)
                foreach (var (keys, values) in step) { keys.Dispose(); values.Dispose(); }
            _steps.Clear();
        }
    }
}
