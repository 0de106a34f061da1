namespace Isrm.Web.State;

/// <summary>Runs a prompt with states attached and projects a chosen token's states to 2-D.</summary>
public sealed class LatentPcaSession(IRefinementService refinement)
{
    public GenerationSettings Settings { get; } = new() { K = 32, MaxTokens = 6, Temperature = 0, IncludeStates = true };
    public string Prompt { get; set; } = "The meaning of";
    public IReadOnlyList<CheckpointListing> Checkpoints { get; private set; } = [];
    public ConversationTurn? Turn { get; private set; }
    public int TokenIndex { get; private set; }
    public PcaProjection? Projection { get; private set; }
    public int Version { get; private set; }
    public bool IsRunning { get; private set; }
    public string? Error { get; private set; }

    public void LoadCheckpoints()
    {
        Checkpoints = TextCheckpoints.List(refinement);
        Settings.MaxK = refinement.MaxK;
        Settings.Checkpoint ??= TextCheckpoints.Opening(Checkpoints, refinement);
    }

    public async Task RunAsync()
    {
        if (IsRunning) return;
        IsRunning = true;
        Error = null;
        Settings.IncludeStates = true;
        var turn = new ConversationTurn(Prompt, Settings, Settings.Checkpoint ?? "");
        try
        {
            await foreach (RefinementFrame frame in refinement.Generate(Settings.ToRequest(Prompt))) turn.Apply(frame);
        }
        finally
        {
            IsRunning = false;
        }
        Error = turn.Error;
        Turn = turn;
        Select(0);
    }

    /// <summary>Projects the states of token <paramref name="tokenIndex"/> (steps without a state are skipped).</summary>
    public void Select(int tokenIndex)
    {
        TokenIndex = tokenIndex;
        var states = Turn?.Tokens.ElementAtOrDefault(tokenIndex)?.Steps.Select(s => s.State).OfType<float[]>().ToList() ?? [];
        Projection = Pca2D.Project(states);
        Version++;
    }
}
