namespace Isrm.Model.Training;

/// <summary>
/// Estimated floating-point operations: 2 per multiply-add for every weight a token passes through, plus causal
/// attention (≈ 2·T·D per layer per call); a backward pass costs twice its forward.
/// </summary>
public sealed class FlopCounter(IsrmModel model, int context)
{
    private readonly double _networkParameters = model.named_parameters()
        .Where(p => p.name.StartsWith("network.") || p.name.StartsWith("recurrent.") || p.name.Contains("injection") || p.name.StartsWith("tick_norm."))
        .Sum(p => (double)p.parameter.numel());

    private readonly double _preludeParameters = Count(model, "prelude."), _codaParameters = Count(model, "coda.");

    private static double Count(IsrmModel model, string prefix) =>
        model.named_parameters().Where(p => p.name.StartsWith(prefix)).Sum(p => (double)p.parameter.numel());

    /// <summary>Forward FLOPs of the prelude, once per token (0 without one).</summary>
    public double PerPrelude => _preludeParameters == 0 ? 0 : 2 * _preludeParameters + 2.0 * model.Config.Prelude * context * model.Config.Width;

    /// <summary>Forward FLOPs of one network call, per token.</summary>
    public double PerCall => 2 * _networkParameters + 2.0 * model.Config.Layers * AttendedPositions * model.Config.Width;

    // A recurrent model attends over its memory slots (RLT) or nothing (RLM), never over the context.
    private int AttendedPositions => model.Core.AttendedPositions(context);

    /// <summary>Forward FLOPs of the coda and the tied head, per token.</summary>
    public double PerHead => 2.0 * model.Config.VocabSize * model.Config.Width + 2 * _codaParameters;

    /// <summary>FLOPs for one sequence batch refined K steps, of which the last gradSteps carry gradients.</summary>
    public double Training(long tokens, int k, int gradSteps, int logitSteps)
    {
        int calls = model.Config.LatentIterations + 1;
        int withGrad = Math.Min(k, gradSteps), without = k - withGrad;
        double forwardNetwork = PerCall * calls * (3.0 * withGrad + without);
        double heads = PerHead * 3.0 * logitSteps;
        return tokens * (forwardNetwork + heads + 3.0 * PerPrelude);
    }
}
