using Spectre.Console.Rendering;

namespace Isrm.Cli.Commands;

/// <summary>Renders the refinement steps of one token as a table: what the model believed at each step and how far it moved.</summary>
internal static class RefinementTable
{
    public static Table Build(IReadOnlyList<StepEvent> steps, int topTokens = 3)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn(new TableColumn("step").RightAligned());
        table.AddColumn(new TableColumn("α").RightAligned());
        table.AddColumn(new TableColumn("top tokens (prob)"));
        foreach (string name in new[] { "confidence", "entropy", "delta", "residual", "KL", "halt" })
            table.AddColumn(new TableColumn(name).RightAligned());
        foreach (StepEvent s in steps)
        {
            string top = string.Join("  ", s.TopTokens.Take(topTokens).Select(t => $"'{t.Token}' {F(t.Prob, 3)}"));
            table.AddRow(new IRenderable[]
            {
                new Text(s.Step.ToString(CultureInfo.InvariantCulture)), new Text(F(s.Alpha, 4)), new Text(top),
                new Text(F(s.Confidence, 3)), new Text(F(s.Entropy, 3)), new Text(E(s.Delta)), new Text(E(s.Residual)),
                new Text(E(s.KlToPrevious)), new Text(F(s.HaltProbability, 3)),
            });
        }
        return table;
    }

    private static string F(float value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static string E(float value) => value.ToString("0.00e+00", CultureInfo.InvariantCulture);

    /// <summary>A token's text for a heading: escapes shown, so newlines and spaces are visible.</summary>
    public static string Quote(string text) => "'" + text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "'";
}
