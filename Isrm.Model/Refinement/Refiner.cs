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
        bool ownPrevious = true;   // false: previousLogProbs is the current step's own tensor (no gradients: no detached copy)
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
        long[]? shape = null;   // the input's, read once for a scheduler's calls (an intervention keeps it)
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
                // A scheduler's network computes the step later, joined with other runs' steps: the run hands the call
                // over and waits (yields Waiting) until the scheduler has run it.
                PendingStep? pending = null;
                if (network is IDeferredSteps deferring && !gradientsWanted)
                {
                    // Without an accelerator the next state is the step's output: the scheduler reads it out with the others.
                    StepReadOut? readOut = mixer is null && (needLogits || k == cap) ? new StepReadOut(previousLogProbs, options.StepHalt, options.HostLastPosition) : null;
                    pending = deferring.Defer(new StepCall(input, y, z, k, mixer is null ? null : 1f, place, options.StepNorms, shape ??= input.shape, readOut));
                    yield return RefinementStep.Waiting;
                }
                RefinementStep next;
                using (var scope = NewDisposeScope())
                using (withGrad || !gradientsWanted ? null : no_grad())
                {
                    StepOutput output = pending?.Take() ?? network.Step(input, y, z, k, alphaOverride: mixer is null ? null : 1f, place, options.StepNorms);
                    next = Advance(network, k, y, z, output, mixer, options, needLogits || k == cap, previousLogProbs);
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
                    if (ownPrevious) previousLogProbs?.Dispose();
                    if (gradientsWanted)
                        using (no_grad()) previousLogProbs = next.LogProbs.detach().DetachFromDisposeScope();
                    else previousLogProbs = next.LogProbs;   // disposed with its step, once the next one is computed
                    ownPrevious = gradientsWanted;
                }
                yield return next;
                if (next.IsLast) yield break;
            }
        }
        finally
        {
            current?.Dispose();
            if (ownStates) { y.Dispose(); z.Dispose(); }
            if (ownPrevious) previousLogProbs?.Dispose();
            if (!ReferenceEquals(input, x)) input.Dispose();
        }
    }

    // The step's output made into the run's next step: accelerated, read out, compared with the previous step.
    private static RefinementStep Advance(
        IStepNetwork network, int k, Tensor y, Tensor z, StepOutput output, AndersonMixer? mixer, RefinementOptions options, bool logits, Tensor? previousLogProbs)
    {
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

        StepReadings? readings = !logits ? null : output.Readings ?? ReadOut(network, nextY, previousLogProbs, options.StepHalt);
        // A scheduler that copied the step to the host hands its halting over there only (StepReadings.Host): not again here.
        Tensor? halt = !options.StepHalt || readings?.Host is not null ? readings?.Halt : readings?.Halt ?? network.HaltProbability(nextY);
        HostReadings? host = readings is null || !options.HostLastPosition ? null
            : readings.Host ?? HostReadings.LastPositions(readings.LogProbs.narrow(0, 0, 1), delta?.narrow(0, 0, 1), output.Residual?.narrow(0, 0, 1),
                readings.Kl?.narrow(0, 0, 1), halt?.narrow(0, 0, 1))[0];
        return new RefinementStep
        {
            Step = k, Alpha = output.Alpha, IsLast = false, Y = nextY, Z = nextZ,
            Delta = delta, Residual = output.Residual, LogProbs = readings?.LogProbs, KlToPrevious = readings?.Kl,
            Halt = halt, Host = host,
        };
    }

    /// <summary>
    /// The read-outs of answer states <paramref name="y"/> (B, N, D): log-probabilities, their KL to
    /// <paramref name="previousLogProbs"/> when given (not differentiated), and the halting probability when asked. A
    /// run's step reads its own states here; a <see cref="StepScheduler"/> reads the joined rows of many runs at once.
    /// </summary>
    public static StepReadings ReadOut(IStepNetwork network, Tensor y, Tensor? previousLogProbs, bool halt)
    {
        Tensor logProbs = network.Logits(y).log_softmax(-1);                                               // (B, N, V)
        Tensor? kl = null;
        if (previousLogProbs is not null)
            using (no_grad())
            {
                Tensor detached = logProbs.detach();
                kl = (detached.exp() * (detached - previousLogProbs)).sum(-1).AtLeast(0);                     // (B, N)
            }
        return new StepReadings(logProbs, kl, halt ? network.HaltProbability(y) : null);
    }

    // Moves the step's tensors out of the per-step dispose scope: the enumeration owns them from here.
    private static RefinementStep Finish(RefinementStep step, bool isLast) => new()
    {
        Step = step.Step, Alpha = step.Alpha, IsLast = isLast,
        Y = step.Y.DetachFromDisposeScope(), Z = step.Z.DetachFromDisposeScope(),
        Delta = step.Delta?.DetachFromDisposeScope(), Residual = step.Residual?.DetachFromDisposeScope(),
        LogProbs = step.LogProbs?.DetachFromDisposeScope(), KlToPrevious = step.KlToPrevious?.DetachFromDisposeScope(),
        Halt = step.Halt?.DetachFromDisposeScope(), Host = step.Host,
    };

    private static float Watched(Tensor kl, ConvergenceWatch watch) => watch switch
    {
        ConvergenceWatch.LastPosition => kl.select(1, -1).max().item<float>(),
        _ => kl.mean().item<float>(),
    };
}
