namespace Isrm.Web.State;

/// <summary>What the step grid needs since its last draw: new cells and changed column labels, or everything on reset.</summary>
/// <param name="Reset">True when the grid must drop what it shows (another turn, or the first batch).</param>
/// <param name="Cells">[token, step, top token, probability, hover text] per new cell.</param>
/// <param name="Labels">[token, header label, chosen token text or null] per column whose label changed.</param>
public sealed record GridBatch(bool Reset, IReadOnlyList<object?[]> Cells, IReadOnlyList<object?[]> Labels)
{
    public bool IsEmpty => !Reset && Cells.Count == 0 && Labels.Count == 0;
}

/// <summary>
/// Tracks what the browser's step grid already has, so that each render sends only the cells that arrived since the
/// previous one (a 64 × 64 turn is 4,096 cells: sent once each, in batches).
/// </summary>
public sealed class GridFeed
{
    private ConversationTurn? _turn;
    private readonly List<int> _sentSteps = [];
    private readonly List<string?> _sentLabels = [];

    /// <summary>The batch that brings the grid from what it shows to <paramref name="turn"/>'s current state.</summary>
    public GridBatch Next(ConversationTurn? turn)
    {
        bool reset = !ReferenceEquals(turn, _turn);
        if (reset)
        {
            _turn = turn;
            _sentSteps.Clear();
            _sentLabels.Clear();
        }
        var cells = new List<object?[]>();
        var labels = new List<object?[]>();
        if (turn is null) return new GridBatch(reset, cells, labels);
        for (int t = 0; t < turn.Tokens.Count; t++)
        {
            TokenTrajectory token = turn.Tokens[t];
            if (_sentSteps.Count <= t) { _sentSteps.Add(0); _sentLabels.Add(null); }
            for (int s = _sentSteps[t]; s < token.Steps.Count; s++) cells.Add(Cell(token, token.Steps[s]));
            _sentSteps[t] = token.Steps.Count;
            string label = Label(token);
            if (label != _sentLabels[t])
            {
                labels.Add([t, label, token.Text is null ? null : TokenText.Visible(token.Text)]);
                _sentLabels[t] = label;
            }
        }
        return new GridBatch(reset, cells, labels);
    }

    private static string Label(TokenTrajectory t) => $"#{t.TokenIndex} {TokenText.Visible(t.Display)}" + (t.IsFinished ? "" : "…");

    private static object?[] Cell(TokenTrajectory t, StepFrame s)
    {
        TopToken top = s.TopTokens.FirstOrDefault() ?? new TopToken("?", 0);
        return [t.TokenIndex, s.Step, TokenText.Visible(top.Token), Math.Round(top.Prob, 4), Hover(t.TokenIndex, s)];
    }

    /// <summary>"token #3, step 5: 'e' 43.0%, 'a' 12.0%, …" — the top-5 of a step.</summary>
    public static string Hover(int tokenIndex, StepFrame s) => $"token #{tokenIndex}, step {s.Step}: "
        + string.Join(", ", s.TopTokens.Take(5).Select(c => string.Create(CultureInfo.InvariantCulture, $"'{TokenText.Visible(c.Token)}' {c.Prob:P1}")));
}
