namespace Isrm.Model.Training;

/// <summary>The terms of one batch's loss, as tensors while training and as numbers once summed for reporting.</summary>
internal sealed record LossTerms
{
    public Tensor? CrossEntropyTensor { get; init; }
    public Tensor? Total { get; init; }
    public Tensor? Deep { get; init; }
    public Tensor? Monotonic { get; init; }
    public Tensor? Convergence { get; init; }
    public Tensor? Ponder { get; init; }
    public int LogitSteps { get; init; }

    public double CrossEntropy { get; init; }
    public double TotalValue { get; init; }
    public double DeepValue { get; init; }
    public double MonotonicValue { get; init; }
    public double ConvergenceValue { get; init; }
    public double PonderValue { get; init; }

    private static double Value(Tensor? t) => t is null ? 0 : t.detach().item<float>();

    /// <summary>Numbers only (the tensors are released with the batch's scope).</summary>
    public LossTerms Detached() => new()
    {
        CrossEntropy = Value(CrossEntropyTensor), TotalValue = Value(Total), DeepValue = Value(Deep),
        MonotonicValue = Value(Monotonic), ConvergenceValue = Value(Convergence), PonderValue = Value(Ponder),
        LogitSteps = LogitSteps,
    };

    /// <summary>Running mean over gradient-accumulation micro-batches.</summary>
    public LossTerms Add(LossTerms other, int parts) => this with
    {
        CrossEntropy = CrossEntropy + other.CrossEntropy / parts, TotalValue = TotalValue + other.TotalValue / parts,
        DeepValue = DeepValue + other.DeepValue / parts, MonotonicValue = MonotonicValue + other.MonotonicValue / parts,
        ConvergenceValue = ConvergenceValue + other.ConvergenceValue / parts, PonderValue = PonderValue + other.PonderValue / parts,
    };
}
