namespace Isrm.Bench;

/// <summary>
/// The floor of one cached decode step: the weight matrix–vector products the step makes (per network call and
/// layer q, k, v, o, gate, up, down, plus the input injection's projection), each x (1, in) · Wᵀ with the model's own
/// weights, timed back to back with nothing else. A step cannot be faster than the memory traffic of its weights.
/// </summary>
internal static class DecodeFloor
{
    /// <summary>Products per refinement step and their time alone in CPU time of the model thread (robust on a shared machine), best of several rounds.</summary>
    public sealed record Floor(int Products, double MicrosecondsPerStep);

    private static readonly string[] BlockWeights = ["wq", "wk", "wv", "wo", "gate", "up", "down"];

    /// <summary>Null for the recurrent families (their step is not a stack of attention blocks). Call on the model thread.</summary>
    public static Floor? Measure(IsrmModel model, int rounds = 200)
    {
        if (model.Config.IsRecurrent) return null;
        int calls = model.Config.IsSinglePass ? 1 : model.Config.LatentIterations + 1;
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var products = new List<(Tensor X, Tensor W)>();
        foreach (var (name, weight) in model.named_parameters())
        {
            int uses = BlockWeights.Any(w => name.EndsWith($".{w}.weight", StringComparison.Ordinal)) ? calls
                : name == "answer_injection.project.weight" ? 1
                : name == "latent_injection.project.weight" ? calls - 1
                : 0;
            for (int i = 0; i < uses; i++) products.Add((randn(1, weight.shape[1]), weight.detach()));
        }
        void Round()
        {
            foreach (var (x, w) in products) nn.functional.linear(x, w).Dispose();
        }
        for (int i = 0; i < 20; i++) Round();
        double best = double.MaxValue;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            double start = ThreadCpuClock.Seconds();
            for (int i = 0; i < rounds; i++) Round();
            best = Math.Min(best, (ThreadCpuClock.Seconds() - start) * 1e6 / rounds);
        }
        return new Floor(products.Count, best);
    }
}
