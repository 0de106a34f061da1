namespace Isrm.Model.Modules;

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) ⊙ up(x)), with gate and up as one matmul.</summary>
public sealed class SwiGlu : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate, up, down;
    private readonly JoinedWeights _gateUp;
    private readonly long _hidden;

    public SwiGlu(int width, int hidden) : base(nameof(SwiGlu))
    {
        gate = nn.Linear(width, hidden, hasBias: false);
        up = nn.Linear(width, hidden, hasBias: false);
        down = nn.Linear(hidden, width, hasBias: false);
        RegisterComponents();
        _hidden = hidden;
        _gateUp = new JoinedWeights(() => [gate.weight!, up.weight!]);
    }

    /// <summary>Joins gate|up into one matrix for inference (the parameters and their names stay as they are).</summary>
    public void JoinForInference() => _gateUp.Join();

    public override void train(bool on = true)
    {
        base.train(on);
        if (on) _gateUp.Release();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor both = MixedPrecision.Linear(x, _gateUp.Weight);                     // (…, 2·hidden)
        bool inPlace = !is_grad_enabled();
        Tensor gated = nn.functional.silu(both.narrow(-1, 0, _hidden), inplace: inPlace);
        Tensor product = inPlace ? gated.mul_(both.narrow(-1, _hidden, _hidden)) : gated * both.narrow(-1, _hidden, _hidden);
        return MixedPrecision.Linear(product, down.weight!).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gateUp.Release();
        base.Dispose(disposing);
    }
}
