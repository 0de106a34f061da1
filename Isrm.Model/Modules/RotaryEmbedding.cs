using TorchSharp;
using static TorchSharp.torch;

namespace Isrm.Model.Modules;

/// <summary>Rotary position embedding: rotates query/key channel pairs (i, i + hd/2) by a position-dependent angle.</summary>
public sealed class RotaryEmbedding : nn.Module
{
    // (MaxContext, 1, 2, hd/2): [cos, cos] and [−sin, sin], so that rot(x) = x·cos + swap(x)·sin in one broadcast.
    private readonly Tensor cos;
    private readonly Tensor sin;

    public RotaryEmbedding(int headDim, int maxContext, float theta) : base(nameof(RotaryEmbedding))
    {
        int half = headDim / 2;
        using var scope = NewDisposeScope();
        Tensor freqs = pow(theta, -arange(0, half, dtype: float32) / half);         // (half)
        Tensor angles = outer(arange(0, maxContext, dtype: float32), freqs);        // (T, half)
        // Kept in float32 even when matmuls run in bfloat16: the rotation of late positions needs the precision.
        cos = stack(new[] { angles.cos(), angles.cos() }, 1).unsqueeze(1).DetachFromDisposeScope();   // owned by the module
        sin = stack(new[] { -angles.sin(), angles.sin() }, 1).unsqueeze(1).DetachFromDisposeScope();
        register_buffer(nameof(cos), cos, persistent: false);
        register_buffer(nameof(sin), sin, persistent: false);
    }

    /// <summary>The tables for positions offset … offset+T−1: (T, 1, 2, hd/2) each; one pair serves every layer of a call.</summary>
    public (Tensor Cos, Tensor Sin) At(int offset, long length) => (cos.narrow(0, offset, length), sin.narrow(0, offset, length));

    /// <summary>x: (B, T, N, hd) — any number N of query and key heads together — rotated with tables from <see cref="At"/>.</summary>
    public static Tensor Apply(Tensor x, (Tensor Cos, Tensor Sin) tables)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], n = x.shape[2], hd = x.shape[3];
        Tensor pairs = x.view(b, t, n, 2, hd / 2);                                  // (B, T, N, 2, half): [x1, x2]
        Tensor swapped = pairs.flip(3);                                             // [x2, x1]
        Tensor rotated = is_grad_enabled()
            ? (pairs * tables.Cos).addcmul(swapped, tables.Sin, 1)
            : (pairs * tables.Cos).addcmul_(swapped, tables.Sin, 1);               // [x1 c − x2 s, x2 c + x1 s]
        return rotated.view(b, t, n, hd).MoveToOuterDisposeScope();
    }
}
