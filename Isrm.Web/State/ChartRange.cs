namespace Isrm.Web.State;

/// <summary>
/// The ranges of a trajectory chart: Top for confidence and entropy, Log for delta and residual (positive values),
/// XMax the last step shown. Two charts given the same range read on one scale, step for step.
/// </summary>
public sealed record ChartRange(double[]? Top, double[]? Log, int XMax = 0)
{
    /// <summary>The range spanning every step of every given trajectory (null when there is none).</summary>
    public static ChartRange? Over(params TokenTrajectory?[] tokens)
    {
        var steps = tokens.OfType<TokenTrajectory>().SelectMany(t => t.Steps).ToList();
        if (steps.Count == 0) return null;
        var top = steps.SelectMany(s => new[] { s.Confidence, s.Entropy }).OfType<double>().Where(double.IsFinite).ToList();
        var log = steps.SelectMany(s => new[] { s.Delta, s.Residual }).OfType<double>().Where(v => v > 0 && double.IsFinite(v)).ToList();
        int xMax = tokens.OfType<TokenTrajectory>().Max(t => t.Steps.Count);
        return new ChartRange(top.Count == 0 ? null : [top.Min(), top.Max()], log.Count == 0 ? null : [log.Min(), log.Max()], xMax);
    }
}
