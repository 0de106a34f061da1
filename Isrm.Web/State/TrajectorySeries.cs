using System.Globalization;
using Isrm.Web.Refinement;

namespace Isrm.Web.State;

/// <summary>The four curves of a trajectory chart as plain arrays (x = "step · top token").</summary>
public static class TrajectorySeries
{
    public static readonly string[] Names = ["confidence", "entropy (nats)", "delta ‖α(f−y)‖", "residual ‖f−y‖"];

    /// <summary>The x label of a step: its number and its top token, so the axis reads as the model's guesses.</summary>
    public static string Label(StepFrame s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Step} {StepHeatmapModel.Visible(s.TopTokens.FirstOrDefault()?.Token ?? "?")}");

    /// <summary>y values of one step for the four curves (null = not reported).</summary>
    public static object?[] Values(StepFrame s) => [s.Confidence, s.Entropy, Positive(s.Delta), Positive(s.Residual)];

    /// <summary>Hover text: the top-5 with probabilities.</summary>
    public static string Hover(StepFrame s) => $"step {s.Step}: " + string.Join(", ",
        s.TopTokens.Take(5).Select(t => string.Create(CultureInfo.InvariantCulture, $"'{StepHeatmapModel.Visible(t.Token)}' {t.Prob:P1}")));

    // log axes cannot show 0; a null leaves a gap instead of a misleading point
    private static double? Positive(double? v) => v is > 0 ? v : null;
}
