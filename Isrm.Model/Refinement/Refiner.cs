using Isrm.Model.Modules;
using static TorchSharp.torch;
using Isrm.Model.Config;

namespace Isrm.Model.Refinement;

/// <summary>
/// The refinement engine: starts from the initial state and advances one step at a time, yielding every step.
/// Generation, evaluation and training all use this one loop.
/// </summary>
public static partial class Refiner
{
    /// <summary>
    /// Refines the states of input embeddings <paramref name="x"/> (B, T, D) at positions offset…offset+T−1.
    /// With a cache, each step's keys/values are stored so later tokens need not recompute this prefix.
    /// Throws <see cref="OperationCanceledException"/> between steps when cancelled. <paramref name="layout"/>: a text
    /// task's significance and prompt for these positions (<see cref="TokenLayout"/>), for models configured to read them.
    /// </summary>
    public static IEnumerable<RefinementStep> Run(
        IsrmModel model, Tensor x, RefinementOptions options,
        RefinementCache? cache = null, int offset = 0, CancellationToken cancellation = default, TokenLayout? layout = null)
    {
        options.Validate();
        var config = model.Config;
        bool adaptive = options.Loops.IsInfinite && !config.IsSinglePass;
        int cap = config.IsSinglePass ? 1 : options.Loops.Limit(options.MaxLoops);
        bool needLogits = options.EveryStepLogits || adaptive;
        bool gradientsWanted = is_grad_enabled();

        // The prelude and input norm (if any) run once per position; their output is what every step re-injects.
        Tensor input = x;
        if (model.TransformsInput) input = model.Inject(x, cache, offset, layout).DetachFromDisposeScope();
        var (y0, z0) = model.InitialState(x.shape[0], x.shape[1], offset, options.Seed);
        Tensor y = y0.DetachFromDisposeScope(), z = z0.DetachFromDisposeScope();
        Tensor? previousLogProbs = null;
        if (needLogits)
            using (no_grad()) previousLogProbs = model.Logits(y).log_softmax(-1).DetachFromDisposeScope();

        using AndersonMixer? mixer = config.Solver == SolverKind.Anderson && !config.IsSinglePass
            ? new AndersonMixer(config.AndersonMemory, config.AndersonBeta) : null;
        RefinementStep? current = null;
        try
        {
            for (int k = 1; k <= cap; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                bool withGrad = gradientsWanted && cap - k < options.GradientSteps;
                RefinementStep next;
                using (var scope = NewDisposeScope())
                using (withGrad || !gradientsWanted ? null : no_grad())
                {
                    next = Advance(model, input, y, z, k, mixer, cache, offset, options, needLogits || k == cap, previousLogProbs, layout);
                    bool converged = adaptive && next.KlToPrevious is not null && Watched(next.KlToPrevious, options.Watch) < options.KlTolerance;
                    next = Finish(next, isLast: k == cap || converged);
                }
                if (current is null) { y.Dispose(); z.Dispose(); }   // the initial state
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
            previousLogProbs?.Dispose();
            if (!ReferenceEquals(input, x)) input.Dispose();
        }
    }

    private static RefinementStep Advance(
        IsrmModel model, Tensor x, Tensor y, Tensor z, int k, AndersonMixer? mixer,
        RefinementCache? cache, int offset, RefinementOptions options, bool logits, Tensor? previousLogProbs, TokenLayout? layout)
    {
        StepOutput output = model.Step(x, y, z, k, alphaOverride: mixer is null ? null : 1f, cache, offset, options.StepNorms, layout);
        Tensor nextY = output.Y, nextZ = output.Z;
        Tensor? delta = output.Delta;
        if (mixer is not null)
        {
            // Accelerate the undamped map on the joint state (y, z); report the actual change of y as delta.
            int d = model.Config.Width;
            Tensor mixed = mixer.Next(cat(new[] { y, z }, -1), cat(new[] { output.Y, output.Z }, -1));
            nextY = mixed.narrow(-1, 0, d);
            nextZ = mixed.narrow(-1, d, d);
            if (options.StepNorms) delta = (nextY - y).detach().pow(2).sum(-1).sqrt();
        }

        Tensor? logProbs = null, kl = null;
        if (logits)
        {
            logProbs = model.Logits(nextY).log_softmax(-1);                                       // (B, T, V)
            if (previousLogProbs is not null)
                using (no_grad())
                {
                    Tensor detached = logProbs.detach();
                    kl = (detached.exp() * (detached - previousLogProbs)).sum(-1).clamp_min(0);     // (B, T)
                }
        }
        return new RefinementStep
        {
            Step = k, Alpha = output.Alpha, IsLast = false, Y = nextY, Z = nextZ,
            Delta = delta, Residual = output.Residual, LogProbs = logProbs, KlToPrevious = kl,
            Halt = options.StepHalt ? model.HaltProbability(nextY) : null,
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
