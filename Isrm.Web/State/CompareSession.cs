using Isrm.Web.Refinement;

namespace Isrm.Web.State;

/// <summary>Two runs of the same prompt and seed side by side, scrubbed together.</summary>
public sealed class CompareSession
{
    public string Prompt { get; set; } = "";
    public GenerationSettings LeftSettings { get; } = new() { K = 8, MaxTokens = 12, Temperature = 0 };
    public GenerationSettings RightSettings { get; } = new() { K = 32, MaxTokens = 12, Temperature = 0 };
    public bool IsRunning { get; private set; }
    public string? Error { get; private set; }
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

    /// <summary>A step arrived on one side (<c>true</c> = left) for the selected token position: draw it live.</summary>
    public event Func<bool, StepFrame, Task>? StepAppended;

    /// <summary>
    /// Runs both sides at once on the same prompt (two concurrent streams: different checkpoints refine in parallel
    /// on their own workers); the right side uses the left side's sampling settings and seed so that the only
    /// differences are the checkpoint and K. <paramref name="changed"/> is called for every token.
    /// </summary>
    public async Task RunAsync(IRefinementService refinement, Func<Task> changed, CancellationToken cancellation = default)
    {
        if (IsRunning || string.IsNullOrWhiteSpace(Prompt)) return;
        IsRunning = true;
        Error = null;
        RightSettings.MaxTokens = LeftSettings.MaxTokens;
        RightSettings.Temperature = LeftSettings.Temperature;
        RightSettings.TopK = LeftSettings.TopK;
        RightSettings.TopP = LeftSettings.TopP;
        RightSettings.Seed = LeftSettings.Seed;
        Left = new ConversationTurn(Prompt, LeftSettings, LeftSettings.Checkpoint ?? "");
        Right = new ConversationTurn(Prompt, RightSettings, RightSettings.Checkpoint ?? "");
        TokenIndex = 0;
        Scrubber.Load(0);
        await changed();
        try
        {
            await Task.WhenAll(
                Stream(refinement, Left, LeftSettings, true, changed, cancellation),
                Stream(refinement, Right, RightSettings, false, changed, cancellation));
        }
        finally
        {
            IsRunning = false;
        }
        Select(0);
        await changed();
    }

    private async Task Stream(
        IRefinementService refinement, ConversationTurn turn, GenerationSettings settings, bool left, Func<Task> changed,
        CancellationToken cancellation)
    {
        try
        {
            await foreach (RefinementFrame frame in refinement.Generate(settings.ToRequest(Prompt), cancellation))
            {
                TokenTrajectory? touched = turn.Apply(frame);
                if (frame is StepFrame step && touched?.TokenIndex == TokenIndex)
                {
                    Scrubber.Grow(Math.Max(LeftToken?.Steps.Count ?? 0, RightToken?.Steps.Count ?? 0));
                    if (StepAppended is not null) await StepAppended(left, step);
                }
                if (frame is not StepFrame) await changed();
            }
        }
        catch (OperationCanceledException)
        {
            turn.Cancel();
        }
        if (turn.Error is not null) Error = turn.Error;
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
