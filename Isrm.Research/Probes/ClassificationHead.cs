namespace Isrm.Research.Probes;

/// <summary>A linear classifier over a sequence's final state and mean state: states (B, T, D) → class logits (B, C).</summary>
public sealed class ClassificationHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear classifier;

    public ClassificationHead(int width, int classes) : base(nameof(ClassificationHead))
    {
        classifier = nn.Linear(2 * width, classes);
        RegisterComponents();
    }

    /// <summary>[final state, mean state] (B, 2D): what the head reads.</summary>
    public static Tensor Features(Tensor states)
    {
        using var scope = NewDisposeScope();
        return cat(new[] { states.select(1, -1), states.mean(new long[] { 1 }) }, -1).MoveToOuterDisposeScope();
    }

    /// <summary>features (B, 2D) → logits (B, C).</summary>
    public override Tensor forward(Tensor features) => classifier.forward(features);
}
