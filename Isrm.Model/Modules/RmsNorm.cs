namespace Isrm.Model.Modules;

/// <summary>Root-mean-square normalisation with a learned gain (TorchSharp 0.107 has no nn.RMSNorm).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;
    private static readonly long[] _lastDim = [-1];

    public RmsNorm(int width, double eps) : base(nameof(RmsNorm))
    {
        weight = new Parameter(ones(width));
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (…, D) → (…, D)
    {
        using var scope = NewDisposeScope();
        if (!is_grad_enabled())   // inference: in place where autograd does not care, 3 tensors instead of 6
            return x.mul(x.Squared().mean(_lastDim, keepdim: true).PlusInPlace(_eps).rsqrt_()).mul_(weight).MoveToOuterDisposeScope();
        Tensor rms = x.Squared().mean(_lastDim, keepdim: true).Plus(_eps).rsqrt();
        return (x * rms * weight).MoveToOuterDisposeScope();
    }
}
