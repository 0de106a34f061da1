using static TorchSharp.torch;

namespace Isrm.Model.Refinement;

public static partial class Refiner
{
    /// <summary>
    /// Refines an <see cref="IStepNetwork"/> from its initial state, yielding every step like the text loop. With a
    /// fixed K it runs K steps; with K = ∞ (<c>Loops = null</c>) it stops at the first step where
    /// <paramref name="converged"/> says so (default: mean KL to the previous step below the tolerance) or at the cap.
    /// Gradients, when enabled, flow through only the last <see cref="RefinementOptions.GradientSteps"/> steps.
    /// Y holds the state; Z is empty; Delta = Residual = ‖y_k − y_{k−1}‖ per position (α = 1); Halt is zero.
    /// </summary>
    public static IEnumerable<RefinementStep> Run(
        IStepNetwork network, Tensor x, RefinementOptions options,
        Func<RefinementStep, bool>? converged = null, CancellationToken cancellation = default)
    {
        options.Validate();
        bool adaptive = options.Loops.IsInfinite;
        int cap = options.Loops.Limit(options.MaxLoops);
        bool needLogits = options.EveryStepLogits || adaptive;
        bool gradientsWanted = is_grad_enabled();
        converged ??= step => step.KlToPrevious is not null && step.KlToPrevious.mean().item<float>() < options.KlTolerance;

        Tensor y;
        Tensor? previousLogProbs = null;
        using (gradientsWanted && cap <= options.GradientSteps ? null : no_grad())
        {
            y = network.InitialState(x).DetachFromDisposeScope();
            if (needLogits)
                using (no_grad()) previousLogProbs = network.Logits(y).log_softmax(-1).DetachFromDisposeScope();
        }
        RefinementStep? current = null;
        try
        {
            for (int k = 1; k <= cap; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                bool withGrad = gradientsWanted && cap - k < options.GradientSteps;
                RefinementStep next;
                using (var scope = NewDisposeScope())
                using (withGrad ? null : no_grad())
                {
                    Tensor state = network.Step(x, y);
                    Tensor change;
                    using (no_grad()) change = network.Change(y, state);
                    Tensor? logProbs = null, kl = null;
                    if (needLogits || k == cap)
                    {
                        logProbs = network.Logits(state).log_softmax(-1);                                    // (B, N, V)
                        if (previousLogProbs is not null)
                            using (no_grad())
                            {
                                Tensor detached = logProbs.detach();
                                kl = (detached.exp() * (detached - previousLogProbs)).sum(-1).clamp_min(0);  // (B, N)
                            }
                    }
                    next = new RefinementStep
                    {
                        Step = k, Alpha = 1f, IsLast = k == cap, Y = state, Z = empty(0),
                        Delta = change, Residual = change.alias(), LogProbs = logProbs, KlToPrevious = kl,
                        Halt = zeros_like(change),
                    };
                    bool stop = (adaptive && converged(next)) || k == cap;   // the rule sees every step, the last included
                    next = Finish(next, isLast: stop);
                }
                if (current is null) y.Dispose();   // the initial state
                current?.Dispose();
                current = next;
                y = next.Y;
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
        }
    }
}
