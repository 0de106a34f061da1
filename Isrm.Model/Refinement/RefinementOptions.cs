namespace Isrm.Model.Refinement;

/// <summary>Which positions decide when an adaptive (K = ∞) run has converged.</summary>
public enum ConvergenceWatch { LastPosition, MeanOverPositions }

/// <summary>How long to refine and what to compute at each step.</summary>
public sealed record RefinementOptions
{
    /// <summary>
    /// K: a fixed number of steps, or ∞: stop when KL between successive steps falls below <see cref="KlTolerance"/>,
    /// at the latest at K's cap (<see cref="RefinementDepth.Capped"/>).
    /// </summary>
    public RefinementDepth K { get; init; } = 8;
    public float KlTolerance { get; init; } = 1e-3f;
    public ConvergenceWatch Watch { get; init; } = ConvergenceWatch.LastPosition;
    /// <summary>Compute log-probabilities and KL at every step (forced for K = ∞); the last step always has log-probabilities.</summary>
    public bool EveryStepLogits { get; init; } = true;
    /// <summary>Compute the delta and residual norms at every step (per-step reports, the evaluator's sweep).</summary>
    public bool StepNorms { get; init; } = true;
    /// <summary>Compute the halting probability at every step (the PonderNet loss, per-step reports).</summary>
    public bool StepHalt { get; init; } = true;
    /// <summary>Seed of a random initial state (<see cref="SeededStart"/>); null draws it from the global generator.</summary>
    public ulong? Seed { get; init; }
    /// <summary>When gradients are on: backpropagate through only the last this-many steps (truncated backprop).</summary>
    public int GradientSteps { get; init; } = int.MaxValue;
    /// <summary>
    /// A change between two steps (<see cref="Intervention"/>): after step 0 a perturbed or foreign start (the
    /// path-independence probe), after a later step the viewer's interventions. Null runs undisturbed.
    /// </summary>
    public Intervention? Intervene { get; init; }
    /// <summary>
    /// Copy the first row's last position to the host with every step that has log-probabilities
    /// (<see cref="RefinementStep.Host"/>): what a generator reports of a token's step, in one copy. A
    /// <see cref="StepScheduler"/> copies the joined runs' rows at once.
    /// </summary>
    public bool HostLastPosition { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> with one sentence for an unusable K.</summary>
    public void Validate()
    {
        K.Checked(K.Cap, "K");
        if (!(KlTolerance > 0)) throw new ArgumentException("the KL tolerance must be positive.");
    }
}
