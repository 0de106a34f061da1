namespace Isrm.Model.Refinement;

/// <summary>
/// The refinement engine: starts from the initial state and advances one step at a time, yielding every step.
/// Generation, evaluation, puzzles and training all use this one loop over the one seam, <see cref="IStepNetwork"/>.
/// </summary>
public static class Refiner
{
    /// <summary>
    /// Refines the states of input <paramref name="x"/> — embeddings (B, T, D) at positions offset…offset+T−1, or a
    /// puzzle's cells. With a cache, each step's keys/values are stored so later tokens need not recompute this prefix.
    /// With a fixed K it runs K steps (one for a single-pass network); with K = ∞ it stops at the first step where
    /// <paramref name="converged"/> says so (default: KL to the previous step, watched as
    /// <see cref="RefinementOptions.Watch"/> says, below the tolerance) or at the cap. Gradients, when enabled, flow
    /// through only the last <see cref="RefinementOptions.GradientSteps"/> steps. Throws
    /// <see cref="OperationCanceledException"/> between steps when cancelled. <paramref name="layout"/>: a text task's
    /// significance and prompt for these positions (<see cref="TokenLayout"/>), for models configured to read them.
    /// <see cref="RefinementOptions.Intervene"/> changes the input or the states after one step; the steps before it
    /// are those of the undisturbed run.
    /// </summary>
    public static IEnumerable<RefinementStep> Run(
        IStepNetwork network, Tensor x, RefinementOptions options,
        RefinementCache? cache = null, int offset = 0, CancellationToken cancellation = default, TokenLayout? layout = null,
        Func<RefinementStep, bool>? converged = null)
    {
        options.Validate();
        var place = new StepPlace(cache, offset, layout);
        bool adaptive = options.K.IsInfinite && !network.IsSinglePass;
        int cap = network.IsSinglePass ? 1 : options.K.Limit();
        bool needLogits = options.EveryStepLogits || adaptive;
        bool gradientsWanted = is_grad_enabled();
        converged ??= step => step.KlToPrevious is not null && Watched(step.KlToPrevious, options.Watch) < options.KlTolerance;

        // What every step re-injects (a prelude's output, a normed input) is computed once; the initial state takes part
        // in the gradient only when every step does.
        Tensor input = network.Inject(x, place);
        if (!ReferenceEquals(input, x)) input = input.DetachFromDisposeScope();   // x stays in its caller's scope
        Tensor y, z;
        bool ownStates = true;   // the initial state and an intervention's states belong to no step
        Tensor? previousLogProbs = null;
        Intervention? intervention = options.Intervene;
        using (gradientsWanted && cap <= options.GradientSteps ? null : no_grad())
        {
            var (y0, z0) = network.InitialState(input, place, options.Seed);
            y = y0.DetachFromDisposeScope();
            z = z0.DetachFromDisposeScope();
            if (intervention is { AfterStep: 0 }) Intervene(intervention);
            if (needLogits)
                using (no_grad()) previousLogProbs = network.Logits(y).log_softmax(-1).DetachFromDisposeScope();
        }

        // Replaces input, y and z by the intervention's; the replaced ones are disposed where this run owns them.
        void Intervene(Intervention change)
        {
            InterventionState changed;
            using (no_grad()) changed = change.Run(new InterventionState(input, y, z));
            if (!ReferenceEquals(input, x)) input.Dispose();
            if (ownStates) { y.Dispose(); z.Dispose(); }
            (input, y, z, ownStates) = (changed.Input, changed.Y, changed.Z, true);
        }

        using AndersonMixer? mixer = network.IsSinglePass ? null : network.NewMixer();
        RefinementStep? current = null;
        try
        {
            for (int k = 1; k <= cap; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (intervention is { AfterStep: > 0 } && intervention.AfterStep == k - 1)
                {
                    Intervene(intervention);
                    mixer?.Forget();   // the accelerator's history belongs to the states before the change
                }
                bool withGrad = gradientsWanted && cap - k < options.GradientSteps;
                RefinementStep next;
                using (var scope = NewDisposeScope())
                using (withGrad || !gradientsWanted ? null : no_grad())
                {
                    next = Advance(network, input, y, z, k, mixer, place, options, needLogits || k == cap, previousLogProbs);
                    bool stop = (adaptive && converged(next)) || k == cap;   // the rule sees every step, the last included
                    next = Finish(next, isLast: stop);
                }
                if (ownStates) { y.Dispose(); z.Dispose(); ownStates = false; }   // the initial or an intervention's state
                current?.Dispose();
                current = next;
                y = next.Y;
                z = next.Z;
                if (next.LogProbs is not null)
                {
                    previousLogProbs?.Dispose();
                    using (no_grad()) previousLogProbs = next.LogProbs.detach().DetachFromDisposeScope();
                }
                yield return next;
                if (next.IsLast) yield break;
            }
        }
        finally
        {
            current?.Dispose();
            if (ownStates) { y.Dispose(); z.Dispose(); }
            previousLogProbs?.Dispose();
            if (!ReferenceEquals(input, x)) input.Dispose();
        }
    }

    private static RefinementStep Advance(
        IStepNetwork network, Tensor x, Tensor y, Tensor z, int k, AndersonMixer? mixer,
        StepPlace place, RefinementOptions options, bool logits, Tensor? previousLogProbs)
    {
        StepOutput output = network.Step(x, y, z, k, alphaOverride: mixer is null ? null : 1f, place, options.StepNorms);
        Tensor nextY = output.Y, nextZ = output.Z;
        Tensor? delta = output.Delta;
        if (mixer is not null)
        {
            // Accelerate the undamped map on the joint state (y, z); report the actual change of y as delta.
            long d = y.shape[^1];
            Tensor mixed = mixer.Next(cat(new[] { y, z }, -1), cat(new[] { output.Y, output.Z }, -1));
            nextY = mixed.narrow(-1, 0, d);
            nextZ = mixed.narrow(-1, d, d);
            if (options.StepNorms) delta = (nextY - y).detach().Squared().sum(-1).sqrt();
        }

        Tensor? logProbs = null, kl = null;
        if (logits)
        {
            logProbs = network.Logits(nextY).log_softmax(-1);                                     // (B, N, V)
            if (previousLogProbs is not null)
                using (no_grad())
                {
                    Tensor detached = logProbs.detach();
                    kl = (detached.exp() * (detached - previousLogProbs)).sum(-1).AtLeast(0);     // (B, N)
                }
        }
        return new RefinementStep
        {
            Step = k, Alpha = output.Alpha, IsLast = false, Y = nextY, Z = nextZ,
            Delta = delta, Residual = output.Residual, LogProbs = logProbs, KlToPrevious = kl,
            Halt = options.StepHalt ? network.HaltProbability(nextY) : null,
        };
    }

    // Moves the step's tensors out of the per-step dispose scope: the enumeration owns them from here.
    private static RefinementStep Finish(RefinementStep step, bool isLast) => new()
    {
        Step = step.Step, Alpha = step.Alpha, IsLast = isLast,
        Y = step.Y.DetachFromDisposeScope(), Z = step.Z.DetachFromDisposeScope(),
        Delta = step.Delta?.DetachFromDisposeScope(), Residual = step.Residual?.DetachFromDisposeScope(),
        LogProbs = step.LogProbs?.DetachFromDisposeScope(), KlToPrevious = step.KlToPrevious?.DetachFromDisposeScope(),
        Halt = step.Halt?.DetachFromDisposeScope(),
    };

    private static float Watched(Tensor kl, ConvergenceWatch watch) => watch switch
    {
        ConvergenceWatch.LastPosition => kl.select(1, -1).max().item<float>(),
        _ => kl.mean().item<float>(),
    };
}
