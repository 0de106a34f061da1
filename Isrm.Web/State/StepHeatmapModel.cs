using System.Globalization;
using Isrm.Web.Refinement;

namespace Isrm.Web.State;

/// <summary>One heatmap cell: the top token of a position at a step, its probability and the top-5 for hover.</summary>
public sealed record HeatmapCell(int Step, int TokenIndex, string Token, double Prob, string Hover, bool IsChosen)
{
    /// <summary>Background shade: probability as alpha over one hue.</summary>
    public string Style => string.Create(CultureInfo.InvariantCulture,
        $"background-color: rgba(25, 118, 210, {0.08 + 0.8 * Math.Clamp(Prob, 0, 1):0.00}); color: {(Prob > 0.55 ? "#fff" : "#111")}");
}

/// <summary>Logit-lens grid: rows = refinement steps, columns = generated tokens (a plain class for tests).</summary>
public sealed class StepHeatmapModel
{
    public IReadOnlyList<string> ColumnHeaders { get; }
    /// <summary>Rows[step-1][token]; null where a token took fewer steps.</summary>
    public IReadOnlyList<IReadOnlyList<HeatmapCell?>> Rows { get; }

    private StepHeatmapModel(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<HeatmapCell?>> rows)
    {
        ColumnHeaders = headers;
        Rows = rows;
    }

    public bool IsEmpty => ColumnHeaders.Count == 0;

    public static StepHeatmapModel Build(IReadOnlyList<TokenTrajectory> tokens)
    {
        int steps = tokens.Count == 0 ? 0 : tokens.Max(t => t.Steps.Count);
        var rows = new List<IReadOnlyList<HeatmapCell?>>(steps);
        for (int s = 0; s < steps; s++)
            rows.Add(tokens.Select(t => s < t.Steps.Count ? Cell(t, t.Steps[s]) : null).ToList());
        return new StepHeatmapModel(tokens.Select(t => $"#{t.TokenIndex} {Visible(t.Display)}").ToList(), rows);
    }

    private static HeatmapCell Cell(TokenTrajectory t, StepFrame s)
    {
        TopToken top = s.TopTokens.FirstOrDefault() ?? new TopToken("?", 0);
        string hover = $"token #{t.TokenIndex}, step {s.Step}: "
            + string.Join(", ", s.TopTokens.Take(5).Select(c => string.Create(CultureInfo.InvariantCulture, $"'{Visible(c.Token)}' {c.Prob:P1}")));
        return new HeatmapCell(s.Step, t.TokenIndex, Visible(top.Token), top.Prob, hover, t.Text is not null && t.Text == top.Token);
    }

    /// <summary>Makes whitespace and control bytes visible in a token label (space → ·, newline → ↵, others → \xNN).</summary>
    public static string Visible(string token)
    {
        var text = new System.Text.StringBuilder(token.Length);
        foreach (char c in token)
            text.Append(c switch
            {
                ' ' => "·",
                '\n' => "↵",
                '\t' => "→",
                '\uFFFD' => "�",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ => c.ToString(),
            });
        return text.Length == 0 ? "∅" : text.ToString();
    }
}
