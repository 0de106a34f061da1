namespace Isrm.Model.Refinement;

/// <summary>
/// The state after one refinement step. Its tensors belong to the running <see cref="Refiner"/> and are valid until
/// the enumeration moves on; copy out (or compute a loss from) what must survive.
/// </summary>
public sealed class RefinementStep : IDisposable
{
    public required int Step { get; init; }
    public required float Alpha { get; init; }
    public required bool IsLast { get; init; }
    /// <summary>Answer state (B, T, D).</summary>
    public required Tensor Y { get; init; }
    /// <summary>Latent state (B, T, D).</summary>
    public required Tensor Z { get; init; }
    /// <summary>‖state change‖ per position (B, T), when computed (<see cref="RefinementOptions.StepNorms"/>).</summary>
    public Tensor? Delta { get; init; }
    /// <summary>‖f(·) − y‖ per position (B, T): only a small residual means a fixed point. Computed with <see cref="RefinementOptions.StepNorms"/>.</summary>
    public Tensor? Residual { get; init; }
    /// <summary>Log-probabilities (B, T, V), when computed for this step.</summary>
    public Tensor? LogProbs { get; init; }
    /// <summary>KL(p_k ‖ p_{k−1}) per position (B, T); step 1 compares with the initial state's distribution.</summary>
    public Tensor? KlToPrevious { get; init; }
    /// <summary>Halting probability per position (B, T), when computed (<see cref="RefinementOptions.StepHalt"/>).</summary>
    public Tensor? Halt { get; init; }

    public void Dispose()
    {
        foreach (Tensor? t in new[] { Y, Z, Delta, Residual, LogProbs, KlToPrevious, Halt }) t?.Dispose();
    }
}
