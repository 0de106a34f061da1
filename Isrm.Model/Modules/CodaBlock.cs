namespace Isrm.Model.Modules;

/// <summary>
/// One block of the coda: h + SwiGLU(norm(h)), position by position. No attention, so the logits of any step of any
/// position stay one call on that position's state (the per-step trace and the decode cache need nothing more).
/// </summary>
public sealed class CodaBlock : nn.Module<Tensor, Tensor>
{
    private readonly RmsNorm norm;
    private readonly SwiGlu feed_forward;

    public CodaBlock(int width, int hidden, double eps) : base(nameof(CodaBlock))
    {
        norm = new RmsNorm(width, eps);
        feed_forward = new SwiGlu(width, hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        using var scope = NewDisposeScope();
        return h.Plus(feed_forward.forward(norm.forward(h))).MoveToOuterDisposeScope();
    }
}
