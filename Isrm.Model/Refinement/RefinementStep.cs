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
    /// <summary>The first row's last position on the host (<see cref="RefinementOptions.HostLastPosition"/>), when asked and computed.</summary>
    public HostReadings? Host { get; init; }

    /// <summary>
    /// Not a step: yielded by a run whose network defers its steps (<see cref="IDeferredSteps"/>) where it waits for the
    /// scheduler to compute the next one. Only runs of a <see cref="StepScheduler"/> see it.
    /// </summary>
    public static RefinementStep Waiting { get; } = new() { Step = 0, Alpha = float.NaN, IsLast = false, Y = null!, Z = null! };

    /// <summary>True for <see cref="Waiting"/>.</summary>
    public bool IsWaiting => ReferenceEquals(this, Waiting);

    public void Dispose()
    {
        foreach (Tensor? t in new[] { Y, Z, Delta, Residual, LogProbs, KlToPrevious, Halt }) t?.Dispose();
    }
}

/// <summary>
/// One position's read-outs on the host: log-probabilities (V), the entropy of that distribution, and its delta,
/// residual, KL to the previous step and halting probability (0 where the step did not compute them).
/// </summary>
public sealed record HostReadings(float[] LogProbs, float Entropy, float Delta, float Residual, float Kl, float Halt)
{
    /// <summary>
    /// The last position of every row in one host copy: <paramref name="logProbs"/> (R, N, V), the others (R, N) or null.
    /// </summary>
    public static HostReadings[] LastPositions(Tensor logProbs, Tensor? delta, Tensor? residual, Tensor? kl, Tensor? halt)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long rows = logProbs.shape[0];
        int v = (int)logProbs.shape[^1];
        Tensor Last(Tensor? t) => t is null ? zeros(rows, 1, device: logProbs.device) : t.select(1, -1).reshape(rows, 1).to(ScalarType.Float32);
        Tensor last = logProbs.select(1, -1).to(ScalarType.Float32);                                       // (R, V)
        Tensor entropy = (last.exp() * last).sum(-1, keepdim: true).neg();                                  // (R, 1)
        Tensor joined = cat([last, entropy, Last(delta), Last(residual), Last(kl), Last(halt)], 1).cpu();   // (R, V + 5)
        float[] all = joined.reshape(-1).data<float>().ToArray();   // one dimension: TorchSharp copies it in one loop
        var result = new HostReadings[rows];
        for (int r = 0; r < rows; r++)
        {
            int at = r * (v + 5);
            result[r] = new HostReadings(all[at..(at + v)], all[at + v], all[at + v + 1], all[at + v + 2], all[at + v + 3], all[at + v + 4]);
        }
        return result;
    }
}
