namespace Isrm.Web.State;

/// <summary>Two runs of the same prompt and seed side by side, scrubbed together.</summary>
public sealed class CompareSession
{
    public ConversationTurn? Left { get; set; }
    public ConversationTurn? Right { get; set; }
    public int TokenIndex { get; set; }
    public StepScrubber Scrubber { get; } = new();

    public TokenTrajectory? LeftToken => Left?.Tokens.ElementAtOrDefault(TokenIndex);
    public TokenTrajectory? RightToken => Right?.Tokens.ElementAtOrDefault(TokenIndex);

    /// <summary>Number of tokens both sides produced (the comparable positions).</summary>
    public int SharedTokens => Math.Min(Left?.Tokens.Count ?? 0, Right?.Tokens.Count ?? 0);

    /// <summary>Selects a token position and lets the scrubber span the longer of the two trajectories.</summary>
    public void Select(int tokenIndex)
    {
        TokenIndex = Math.Max(0, tokenIndex);
        Scrubber.Load(Math.Max(LeftToken?.Steps.Count ?? 0, RightToken?.Steps.Count ?? 0));
    }

    /// <summary>Approximate KL(left‖right) per step for the selected token; a shorter side holds its last step.</summary>
    public IReadOnlyList<double> KlPerStep()
    {
        TokenTrajectory? l = LeftToken, r = RightToken;
        if (l is null || r is null || l.Steps.Count == 0 || r.Steps.Count == 0) return [];
        int steps = Math.Max(l.Steps.Count, r.Steps.Count);
        return Enumerable.Range(0, steps)
            .Select(s => TopTokenDivergence.ApproximateKl(
                l.Steps[Math.Min(s, l.Steps.Count - 1)].TopTokens, r.Steps[Math.Min(s, r.Steps.Count - 1)].TopTokens))
            .ToList();
    }
}
