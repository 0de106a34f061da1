namespace Isrm.Model.Modules;

/// <summary>Rotary position embedding: rotates query/key channel pairs (i, i + hd/2) by a position-dependent angle.</summary>
public sealed class RotaryEmbedding : nn.Module
{
    // (MaxContext, 1, 2, hd/2): [cos, cos] and [−sin, sin], so that rot(x) = x·cos + swap(x)·sin in one broadcast.
    private readonly Tensor cos;
    private readonly Tensor sin;
    // (MaxContext, hd, hd): the rotation of each position as a matrix (transposed), so that inference rotates any
    // number of heads with one matmul; made on first use, the training path keeps the cheaper elementwise form.
    private Tensor? _rotations;

    public RotaryEmbedding(int headDim, int maxContext, float theta) : base(nameof(RotaryEmbedding))
    {
        int half = headDim / 2;
        using var scope = NewDisposeScope();
        Tensor freqs = HeldScalars.Power(theta, HeldScalars.Range(0, half, float32).neg_().DividedBy(half));   // (half)
        Tensor angles = outer(HeldScalars.Range(0, maxContext, float32), freqs);   // (T, half)
        // Kept in float32 even when matmuls run in bfloat16: the rotation of late positions needs the precision.
        cos = stack(new[] { angles.cos(), angles.cos() }, 1).unsqueeze(1).DetachFromDisposeScope();   // owned by the module
        sin = stack(new[] { -angles.sin(), angles.sin() }, 1).unsqueeze(1).DetachFromDisposeScope();
        register_buffer(nameof(cos), cos, persistent: false);
        register_buffer(nameof(sin), sin, persistent: false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rotations?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>
    /// The tables for positions offset … offset+T−1, made once per network call and shared by its layers: without
    /// gradients one (T, hd, hd) rotation per position, else (T, 1, 2, hd/2) cosines and signed sines.
    /// </summary>
    public (Tensor Cos, Tensor Sin) At(int offset, long length)
    {
        if (is_grad_enabled()) return (cos.narrow(0, offset, length), sin.narrow(0, offset, length));
        return (RotationTable().narrow(0, offset, length), null!);
    }

    /// <summary>
    /// The tables for arbitrary integer positions (B, T) — e.g. digit significances — clamped to the table: the same
    /// two forms as <see cref="At"/>, with a leading batch dimension.
    /// </summary>
    public (Tensor Cos, Tensor Sin) At(Tensor positions)
    {
        using var scope = NewDisposeScope();
        long b = positions.shape[0], t = positions.shape[1], table = cos.shape[0];
        Tensor index = positions.Between(0, table - 1).reshape(-1);
        if (is_grad_enabled())
            return (cos.index_select(0, index).view(b, t, 1, 2, -1).MoveToOuterDisposeScope(),
                    sin.index_select(0, index).view(b, t, 1, 2, -1).MoveToOuterDisposeScope());
        Tensor rotations = RotationTable();
        long hd = rotations.shape[1];
        return (rotations.index_select(0, index).view(b, t, hd, hd).MoveToOuterDisposeScope(), null!);
    }

    // Made once; the requests of a batched worker read one model from several threads.
    private Tensor RotationTable()
    {
        if (Volatile.Read(ref _rotations) is { } made) return made;
        lock (cos) return _rotations ??= Rotations();
    }

    private Tensor Rotations()
    {
        using var scope = NewDisposeScope();
        long positions = cos.shape[0], half = cos.shape[3], hd = 2 * half;
        Tensor basis = eye(hd).expand(positions, 1, hd, hd).contiguous();             // per position, row i = e_i
        Tensor rotated = Apply(basis, (cos.view(positions, 1, 1, 2, half), sin.view(positions, 1, 1, 2, half)));   // row i = rot(e_i)
        return rotated.squeeze(1).DetachFromDisposeScope();                            // x · this = rot(x) as a row
    }

    /// <summary>
    /// x: (B, T, N, hd) — any number N of query and key heads together — rotated with tables from <see cref="At"/>
    /// ((T, …) tables, or (B, T, …) ones for per-row positions).
    /// </summary>
    public static Tensor Apply(Tensor x, (Tensor Cos, Tensor Sin) tables)
    {
        if (tables.Sin is null) return x.matmul(tables.Cos);                           // (B, T, N, hd) · ([B,] T, hd, hd)
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], n = x.shape[2], hd = x.shape[3];
        Tensor pairs = x.view(b, t, n, 2, hd / 2);                                  // (B, T, N, 2, half): [x1, x2]
        Tensor swapped = pairs.flip(3);                                             // [x2, x1]
        Tensor rotated = is_grad_enabled()
            ? (pairs * tables.Cos).PlusProduct(swapped, tables.Sin)
            : (pairs * tables.Cos).PlusProductInPlace(swapped, tables.Sin);               // [x1 c − x2 s, x2 c + x1 s]
        return rotated.view(b, t, n, hd).MoveToOuterDisposeScope();
    }
}
