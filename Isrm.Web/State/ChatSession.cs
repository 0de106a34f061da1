using Isrm.Web.Refinement;

namespace Isrm.Web.State;

/// <summary>
/// What the chat page shows and does, without markup: checkpoints, settings, history, the followed token, the
/// scrubber. The page renders it and forwards clicks; tests drive it with a fake <see cref="IRefinementService"/>.
/// </summary>
public sealed class ChatSession(IRefinementService refinement)
{
    private CancellationTokenSource? _running;
    private long _lastRaised;

    /// <summary>Least time between re-renders caused by step frames alone (the chart itself updates every step).</summary>
    public TimeSpan StepRenderInterval { get; set; } = TimeSpan.FromMilliseconds(150);

    public Conversation Conversation { get; } = new();
    public GenerationSettings Settings { get; } = new();
    public StepScrubber Scrubber { get; } = new();
    public IReadOnlyList<CheckpointListing> Checkpoints { get; private set; } = [];
    public bool CheckpointsLoaded { get; private set; }
    public string Prompt { get; set; } = "";
    public string? Error { get; private set; }

    /// <summary>The token whose trajectory is shown; follows the newest token while <see cref="FollowLive"/>.</summary>
    public TokenTrajectory? Selected { get; private set; }
    public ConversationTurn? SelectedTurn { get; private set; }
    public bool FollowLive { get; private set; } = true;

    public bool IsRunning => _running is not null;
    public bool CanSend => !IsRunning && !string.IsNullOrWhiteSpace(Prompt) && Checkpoints.Any(c => c.Usable);

    /// <summary>A step arrived for the followed token (append it to the chart).</summary>
    public event Func<StepFrame, Task>? StepAppended;
    /// <summary>The followed token changed (redraw the chart from its steps).</summary>
    public event Func<TokenTrajectory?, Task>? SelectionChanged;
    /// <summary>Anything else changed (re-render).</summary>
    public event Func<Task>? Changed;

    /// <summary>Lists the checkpoints and picks the service's default (or the first usable one).</summary>
    public void LoadCheckpoints()
    {
        Checkpoints = refinement.ListCheckpoints();
        Settings.MaxK = refinement.MaxLoops;
        Settings.Checkpoint ??= Checkpoints.FirstOrDefault(c => c.Usable && c.Name == refinement.DefaultCheckpoint)?.Name
                                ?? Checkpoints.FirstOrDefault(c => c.Usable)?.Name;
        CheckpointsLoaded = true;
    }

    /// <summary>Sends the prompt and streams the answer into a new turn until done, stopped or failed.</summary>
    public async Task SendAsync()
    {
        if (!CanSend) return;
        string prompt = Prompt.Trim();
        Prompt = "";
        Error = null;
        ConversationTurn turn = Conversation.Start(prompt, Settings, Settings.Checkpoint ?? "");
        using var cts = new CancellationTokenSource();
        _running = cts;
        FollowLive = true;
        await Select(turn, null);
        try
        {
            await foreach (RefinementFrame frame in refinement.Generate(Settings.ToRequest(prompt), cts.Token))
                await Apply(turn, frame);
        }
        catch (OperationCanceledException)
        {
            turn.Cancel();
        }
        finally
        {
            _running = null;
        }
        if (turn.Status == TurnStatus.Failed) Error = turn.Error;
        await Raise();
    }

    /// <summary>Stops the running generation (the server stops within one refinement step).</summary>
    public void Stop() => _running?.Cancel();

    /// <summary>Opens a token's trajectory for stepping; live following stops until the next send.</summary>
    public async Task OpenToken(ConversationTurn turn, TokenTrajectory token)
    {
        FollowLive = false;
        await Select(turn, token);
    }

    /// <summary>Returns to following the newest token of the running turn.</summary>
    public async Task FollowLatest()
    {
        FollowLive = true;
        if (Conversation.Latest is { } latest) await Select(latest, latest.Current);
    }

    /// <summary>The step the scrubber points at in the selected trajectory.</summary>
    public StepFrame? ScrubbedStep =>
        Selected is { } t && Scrubber.Current >= 1 && Scrubber.Current <= t.Steps.Count ? t.Steps[Scrubber.Current - 1] : null;

    private async Task Apply(ConversationTurn turn, RefinementFrame frame)
    {
        TokenTrajectory? touched = turn.Apply(frame);
        if (FollowLive && touched is not null && SelectedTurn == turn)
        {
            if (!ReferenceEquals(touched, Selected)) await Select(turn, touched);
            else if (frame is StepFrame step)
            {
                Scrubber.Grow(touched.Steps.Count);
                if (StepAppended is not null) await StepAppended(step);
            }
        }
        bool due = System.Diagnostics.Stopwatch.GetElapsedTime(_lastRaised) >= StepRenderInterval;
        if (frame is not StepFrame || due) await Raise();
    }

    private async Task Select(ConversationTurn turn, TokenTrajectory? token)
    {
        SelectedTurn = turn;
        Selected = token;
        Scrubber.Load(token?.Steps.Count ?? 0);
        if (SelectionChanged is not null) await SelectionChanged(token);
    }

    private async Task Raise()
    {
        _lastRaised = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Changed is not null) await Changed();
    }
}
