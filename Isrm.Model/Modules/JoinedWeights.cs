namespace Isrm.Model.Modules;

/// <summary>
/// Weight matrices that read the same input (q|k|v, gate|up) used as one: a single matmul instead of several. The
/// parameters stay separate (checkpoint names unchanged); inference may hold one joined copy made at load.
/// </summary>
internal sealed class JoinedWeights(Func<Tensor[]> parts)
{
    private Tensor? _joined;

    /// <summary>The joined (Σ out, in) matrix: the copy made by <see cref="Join"/> when no gradient is wanted, else a fresh concatenation that gradients flow through.</summary>
    public Tensor Weight => _joined is not null && !is_grad_enabled() ? _joined : cat(parts(), 0);

    public void Join()
    {
        Release();
        using (no_grad()) _joined = cat(parts(), 0).DetachFromDisposeScope();
    }

    public void Release()
    {
        _joined?.Dispose();
        _joined = null;
    }
}
