using Isrm.Model.Config;
using Isrm.Model.Modules;
using Isrm.Model.Recurrent;
using static TorchSharp.torch;

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

    public RefinementCache(IsrmConfig config, long batch, Device device)
    {
        _config = config;
        _batch = batch;
        _device = device;
    }

    /// <summary>The carried state of an rlm / rlt / gated-rlt model.</summary>
    public RecurrentState Recurrent { get; } = new();

    private int CallsPerStep => _config.LatentIterations + 1;

    /// <summary>Positions cached at step 1 (every position runs at least one step).</summary>
    public int Length => _config.IsRecurrent ? Recurrent.Length : _steps.Count == 0 ? 0 : _steps[0][0].Length;

    /// <summary>
    /// Makes step k ready for new positions starting at <paramref name="offset"/>. A position that stopped refining
    /// before step k (adaptive K) presents the keys/values of its last step: they are copied forward from step k−1.
    /// </summary>
    public void Prepare(int k, int offset)
    {
        while (_steps.Count < k)
        {
            var buffers = new KvBuffer[CallsPerStep * _config.Layers];
            for (int i = 0; i < buffers.Length; i++)
                buffers[i] = new KvBuffer(_batch, _config.KvHeads, _config.MaxContext, _config.HeadDim, _device);
            _steps.Add(buffers);
        }
        if (k == 1) return;
        KvBuffer[] current = _steps[k - 1], previous = _steps[k - 2];
        for (int i = 0; i < current.Length; i++)
            if (current[i].Length < offset) current[i].CopyRange(previous[i], current[i].Length, offset);
    }

    /// <summary>The per-layer buffers of one network call at step k.</summary>
    public IReadOnlyList<KvBuffer> Buffers(int k, int call) =>
        new ArraySegment<KvBuffer>(_steps[k - 1], call * _config.Layers, _config.Layers);

    public void Dispose()
    {
        foreach (KvBuffer[] step in _steps)
            foreach (KvBuffer buffer in step) buffer.Dispose();
        _steps.Clear();
        Recurrent.Dispose();
    }
}
