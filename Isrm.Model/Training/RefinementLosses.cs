namespace Isrm.Model.Training;

/// <summary>The whitepaper's auxiliary losses (§6) over per-step quantities; each returns a scalar tensor.</summary>
public static class RefinementLosses
{
    /// <summary>Σ relu(L_k − L_{k−1})²: penalises any step whose loss is higher than the previous step's.</summary>
    public static Tensor Monotonic(IReadOnlyList<Tensor> stepLosses)
    {
        Tensor total = zeros(1, device: stepLosses[0].device);
        for (int i = 1; i < stepLosses.Count; i++)
            total = total + nn.functional.relu(stepLosses[i] - stepLosses[i - 1]).pow(2);
        return total.squeeze();
    }

    /// <summary>Σ relu(‖δ_k‖ / ‖δ_{k−1}‖ − 1): penalises updates that grow instead of shrinking.</summary>
    public static Tensor Convergence(IReadOnlyList<Tensor> deltaNorms)
    {
        Tensor total = zeros(1, device: deltaNorms[0].device);
        for (int i = 1; i < deltaNorms.Count; i++)
            total = total + nn.functional.relu(deltaNorms[i] / (deltaNorms[i - 1] + 1e-8) - 1);
        return total.squeeze();
    }

    /// <summary>
    /// PonderNet expected loss Σ_n p_n L_n per position, with p_n = λ_n Π_{j&lt;n} (1 − λ_j) and the last step
    /// taking the remaining mass. stepLosses and haltProbs: per-position (B, T) tensors, one per step.
    /// </summary>
    public static Tensor PonderExpected(IReadOnlyList<Tensor> stepLosses, IReadOnlyList<Tensor> haltProbs)
    {
        Tensor notYet = ones_like(haltProbs[0]);
        Tensor total = zeros_like(stepLosses[0]);
        for (int n = 0; n < stepLosses.Count; n++)
        {
            Tensor p = n == stepLosses.Count - 1 ? notYet : notYet * haltProbs[n];
            total = total + p * stepLosses[n];
            notYet = notYet * (1 - haltProbs[n]);
        }
        return total.mean();
    }
}
