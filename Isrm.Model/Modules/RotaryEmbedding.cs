using TorchSharp;
using static TorchSharp.torch;

namespace Isrm.Model.Modules;

/// <summary>Rotary position embedding: rotates query/key channel pairs by a position-dependent angle.</summary>
public sealed class RotaryEmbedding : nn.Module
{
    private readonly Tensor cos;
    private readonly Tensor sin;

    public RotaryEmbedding(int headDim, int maxContext, float theta) : base(nameof(RotaryEmbedding))
    {
        int half = headDim / 2;
        using var scope = NewDisposeScope();
        Tensor freqs = pow(theta, -arange(0, half, dtype: float32) / half);         // (half)
        Tensor angles = outer(arange(0, maxContext, dtype: float32), freqs);        // (T, half)
        cos = angles.cos().DetachFromDisposeScope();   // owned by the module
        sin = angles.sin().DetachFromDisposeScope();
        register_buffer(nameof(cos), cos, persistent: false);
        register_buffer(nameof(sin), sin, persistent: false);
    }

    /// <summary>x: (B, H, T, hd) at absolute positions offset … offset+T−1.</summary>
    public Tensor Apply(Tensor x, int offset)
    {
        using var scope = NewDisposeScope();
        long t = x.shape[2], half = x.shape[3] / 2;
        Tensor c = cos.narrow(0, offset, t), s = sin.narrow(0, offset, t); // (T, half)
        Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
        return cat(new[] { x1 * c - x2 * s, x1 * s + x2 * c }, -1).MoveToOuterDisposeScope();
    }
}
