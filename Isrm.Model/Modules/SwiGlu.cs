using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Isrm.Model.Modules;

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) ⊙ up(x)).</summary>
public sealed class SwiGlu : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate, up, down;

    public SwiGlu(int width, int hidden) : base(nameof(SwiGlu))
    {
        gate = nn.Linear(width, hidden, hasBias: false);
        up = nn.Linear(width, hidden, hasBias: false);
        down = nn.Linear(hidden, width, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down.forward(nn.functional.silu(gate.forward(x)) * up.forward(x)).MoveToOuterDisposeScope();
    }
}
