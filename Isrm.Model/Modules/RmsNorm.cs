using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Isrm.Model.Modules;

/// <summary>Root-mean-square normalisation with a learned gain (TorchSharp 0.107 has no nn.RMSNorm).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public RmsNorm(int width, double eps) : base(nameof(RmsNorm))
    {
        weight = new Parameter(ones(width));
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (…, D) → (…, D)
    {
        using var scope = NewDisposeScope();
        Tensor rms = x.pow(2).mean(new long[] { -1 }, keepdim: true).add(_eps).rsqrt();
        return (x * rms * weight).MoveToOuterDisposeScope();
    }
}
