using Isrm.Model.Recurrent;

namespace Isrm.Model.Refinement;

/// <summary>
/// K/V caches of every refinement step, network call (latent iterations + answer update) and layer. Attention is
/// causal within each step, so a prefix's states never change as tokens are appended: each new token costs O(K·n).
/// For a recurrent family it holds the fixed-size state instead (no K/V buffers are ever allocated).
/// </summary>
public sealed class RefinementCache : IDisposable
{
    private readonly IsrmConfig _config;
    private readonly long _batch;
    private readonly Device _device;
    private readonly List<KvBuffer[]> _steps = new(); // [k−1][call · layers + layer]
    private KvBuffer[]? _prelude;                      // [layer] of the prelude, run once per position
    private readonly KvSlots? _slots;
    private readonly int _slot;

    public RefinementCache(IsrmConfig config, long batch, Device device)
    {
        _config = config;
        _batch = batch;
        _device = device;
    }

    /// <summary>
    /// A cache of one request whose first steps' keys and values live in a slot of <paramref name="slots"/>, beside the
    /// other requests refined with it; without a free slot, a cache of its own.
    /// </summary>
    public RefinementCache(IsrmConfig config, Device device, KvSlots slots) : this(config, 1, device)
    {
        if (slots.Lease() is int slot) (_slots, _slot) = (slots, slot);
    }

    private readonly List<RecurrentState> _ticks = new();   // [k−1]: the carried state of tick k (rlm / rlt / gated-rlt)

    /// <summary>The carried state of tick 1 of a recurrent model (the only one of a one-tick model).</summary>
    public RecurrentState Recurrent => Tick(1, 0);

    /// <summary>Bytes of every tick's carried state.</summary>
    public long RecurrentBytes => _ticks.Sum(t => t.Bytes);

    /// <summary>
    /// The carried state of tick k, ready for tokens from <paramref name="offset"/>. A token that stopped before tick k
    /// (adaptive K) hands on the state of its last tick: copied forward from tick k−1, as <see cref="Prepare"/> does for keys.
    /// </summary>
    public RecurrentState Tick(int k, int offset)
    {
        while (_ticks.Count < k) _ticks.Add(new RecurrentState());
        RecurrentState state = _ticks[k - 1];
        if (k > 1 && offset > 0 && state.Length < offset && _ticks[k - 2].Length == offset) state.CopyFrom(_ticks[k - 2]);
        return state;
    }

    private int CallsPerStep => _config.LatentIterations + 1;

    /// <summary>Positions cached at step 1 (every position runs at least one step).</summary>
    public int Length => _ticks.Count > 0 ? _ticks[0].Length : _steps.Count == 0 ? 0 : _steps[0][0].Length;

    /// <summary>
    /// Makes step k ready for new positions starting at <paramref name="offset"/>. A position that stopped refining
    /// before step k (adaptive K) presents the keys/values of its last step: they are copied forward from step k−1.
    /// </summary>
    public void Prepare(int k, int offset)
    {
        while (_steps.Count < k)
        {
            var buffers = new KvBuffer[CallsPerStep * _config.Layers];
            int step = _steps.Count + 1;
            for (int i = 0; i < buffers.Length; i++)
                buffers[i] = _slots is not null && step <= _slots.Steps
                    ? _slots.Buffer(step, i, _slot)
                    : new KvBuffer(_batch, _config.KvHeads, _config.MaxContext, _config.HeadDim, _device);
            _steps.Add(buffers);
        }
        if (k == 1) return;
        KvBuffer[] current = _steps[k - 1], previous = _steps[k - 2];
        for (int i = 0; i < current.Length; i++)
            if (current[i].Length < offset) current[i].CopyRange(previous[i], current[i].Length, offset);
    }

    /// <summary>The per-layer buffers of the prelude (<see cref="IsrmConfig.Prelude"/>), made on first use.</summary>
    public IReadOnlyList<KvBuffer> PreludeBuffers()
    {
        _prelude ??= Enumerable.Range(0, _config.Prelude)
            .Select(_ => new KvBuffer(_batch, _config.KvHeads, _config.MaxContext, _config.HeadDim, _device)).ToArray();
        return _prelude;
    }

    /// <summary>The per-layer buffers of one network call at step k.</summary>
    public IReadOnlyList<KvBuffer> Buffers(int k, int call) =>
        new ArraySegment<KvBuffer>(_steps[k - 1], call * _config.Layers, _config.Layers);

    public void Dispose()
    {
        foreach (KvBuffer[] step in _steps)
            foreach (KvBuffer buffer in step) buffer.Dispose();
        _steps.Clear();
        foreach (KvBuffer buffer in _prelude ?? []) buffer.Dispose();
        _prelude = null;
        foreach (RecurrentState tick in _ticks) tick.Dispose();
        _ticks.Clear();
        if (_slots is not null && !_released)
        {
            _released = true;
            _slots.Release(_slot);
        }
    }

    private bool _released;
}
