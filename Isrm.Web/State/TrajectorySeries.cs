namespace Isrm.Web.State;

/// <summary>Text shown for one refinement step.</summary>
public static class TrajectorySeries
{
    /// <summary>Hover text: the top-5 with probabilities.</summary>
    public static string Hover(StepFrame s) => $"step {s.Step}: " + string.Join(", ",
        s.TopTokens.Take(5).Select(t => string.Create(CultureInfo.InvariantCulture, $"'{TokenText.Visible(t.Token)}' {t.Prob:P1}")));
}
