namespace Isrm.Research.Probes;

/// <summary>
/// How curved a latent trajectory is (the RLM proposal's "curved, evolving" vs "linear, jumpy"). For a path
/// h₀ … h_n with steps d_i = h_{i+1} − h_i: the mean turning angle between successive steps (0° = straight on,
/// 90° = at right angles, 180° = back) and the tortuosity Σ‖d_i‖ / ‖h_n − h₀‖ (1 = a straight line).
/// Measured along the ticks (or refinement steps) of each token and along the tokens (the last step's state).
/// </summary>
public static class TrajectoryCurvature
{
    /// <summary>Mean turning angle (degrees) and mean tortuosity; null where the paths have fewer than two steps.</summary>
    public sealed record Measure(double? TurningDegrees, double? Tortuosity, int Paths);

    /// <summary>Both measures over paths (P, n+1, D): P paths of n+1 points.</summary>
    public static Measure Of(Tensor paths)
    {
        using var scope = NewDisposeScope();
        if (paths.shape[1] < 3) return new Measure(null, null, (int)paths.shape[0]);
        Tensor d = paths.narrow(1, 1, paths.shape[1] - 1) - paths.narrow(1, 0, paths.shape[1] - 1);    // (P, n, D)
        Tensor a = d.narrow(1, 0, d.shape[1] - 1), b = d.narrow(1, 1, d.shape[1] - 1);
        Tensor cos = (a * b).sum(-1) / (a.pow(2).sum(-1).sqrt() * b.pow(2).sum(-1).sqrt()).clamp_min(1e-12);
        double degrees = cos.clamp(-1, 1).acos().mean().item<float>() * 180.0 / Math.PI;
        Tensor length = d.pow(2).sum(-1).sqrt().sum(-1);                                                 // (P)
        Tensor chord = (paths.select(1, -1) - paths.select(1, 0)).pow(2).sum(-1).sqrt().clamp_min(1e-12);
        return new Measure(degrees, (length / chord).mean().item<float>(), (int)paths.shape[0]);
    }

    /// <summary>
    /// Along the steps: each token's y_1 … y_K at fixed K (one-pass models have no such path). Along the tokens: y_K of
    /// positions 0 … T−1 of each window. <paramref name="tokens"/> is (B, T).
    /// </summary>
    public static (Measure AlongSteps, Measure AlongTokens) Run(IsrmModel model, Tensor tokens, int loops)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var options = new RefinementOptions { K = loops, EveryStepLogits = false, StepNorms = false, StepHalt = false };
        var states = new List<Tensor>();
        foreach (RefinementStep step in Refiner.Run(model, model.Embed(tokens), options))
            states.Add(step.Y.detach().clone());                                                           // (B, T, D) each
        long b = tokens.shape[0], t = tokens.shape[1], dim = model.Config.Width;
        Tensor alongSteps = stack(states.ToArray(), 2).reshape(b * t, states.Count, dim);                  // (B·T, K, D)
        return (Of(alongSteps), Of(states[^1]));
    }
}
