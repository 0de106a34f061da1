namespace Isrm.Web.State;

/// <summary>
/// What the chat page shows and does, without markup: checkpoints, settings, history, the followed token, the
/// scrubber. Frames are folded in as they arrive and only announced (<see cref="Invalidated"/>); the page draws the
/// latest state on its frame budget. Tests drive it with a fake <see cref="IRefinementService"/>.
/// </summary>
public sealed class ChatSession(IRefinementService refinement)
{
    private CancellationTokenSource? _running;

    public Conversation Conversation { get; } = new();
    public GenerationSettings Settings { get; } = new();
    public StepScrubber Scrubber { get; } = new();
    public IReadOnlyList<CheckpointListing> Checkpoints { get; private set; } = [];
    public bool CheckpointsLoaded { get; private set; }
    public string Prompt { get; set; } = "";
    public string? Error { get; private set; }
    /// <summary>Send earlier turns (prompts and replies) with the new prompt, as a chat model would see them.</summary>
    public bool RememberTurns { get; set; } = true;
    /// <summary>The turn being edited: sending replaces it and every later turn. Null when not editing.</summary>
    public int? EditingIndex { get; private set; }

    /// <summary>The token whose trajectory is shown; follows the newest token while <see cref="FollowLive"/>.</summary>
    public TokenTrajectory? Selected { get; private set; }
    public ConversationTurn? SelectedTurn { get; private set; }
    public bool FollowLive { get; private set; } = true;

    public bool IsRunning => _running is not null;
    public bool CanSend => !IsRunning && !string.IsNullOrWhiteSpace(Prompt) && SelectedCheckpoint is { Usable: true };
    public CheckpointListing? SelectedCheckpoint => Checkpoints.FirstOrDefault(c => c.Name == Settings.Checkpoint);

    /// <summary>A frame was folded in (draw on the next frame budget tick). Raised for every frame: keep it cheap.</summary>
    public event Action? Invalidated;
    /// <summary>Something must be drawn at once: a turn started, ended or was stopped.</summary>
    public event Func<Task>? Changed;

    /// <summary>Lists the checkpoints and picks the service's default (or the first usable one).</summary>
    public void LoadCheckpoints()
    {
        Checkpoints = TextCheckpoints.List(refinement);
        Settings.MaxK = refinement.MaxK;
        Settings.Checkpoint ??= TextCheckpoints.Opening(Checkpoints, refinement);
        CheckpointsLoaded = true;
    }

    /// <summary>
    /// Opens a shared link (<see cref="ChatLink"/>): its settings and prompt, and a run when it says <c>run=1</c>. A value
    /// the page cannot take is shown as the page's error sentence and nothing runs.
    /// </summary>
    public async Task OpenLinkAsync(IReadOnlyDictionary<string, string> query)
    {
        if (query.Count == 0) return;
        string? prompt = ChatLink.Apply(query, Settings, Checkpoints.Where(c => c.Usable).Select(c => c.Name), out bool run, out string? problem);
        if (problem is not null) { Error = problem; await Raise(); return; }
        if (prompt is not null) Prompt = prompt;
        if (run) await SendAsync();
        else await Raise();
    }

    /// <summary>Loads a conversation exported as JSON back into the viewer (every step of every token); a file that is not one is the page's error.</summary>
    public async Task LoadExportAsync(string json)
    {
        if (IsRunning) return;
        if (Conversation.Import(json) is string problem) { Error = problem; await Raise(); return; }
        Error = null;
        if (Conversation.Latest is { } latest) Select(latest, latest.Tokens.FirstOrDefault());
        FollowLive = false;
        await Raise();
    }

    /// <summary>The link that reproduces the latest turn (or the current settings and prompt), with <c>run=1</c>.</summary>
    public string ShareQuery() => Conversation.Latest is { } turn
        ? ChatLink.For(turn.Settings, turn.Prompt, run: true)
        : ChatLink.For(Settings, Prompt, run: true);

    /// <summary>Sends the prompt (after the earlier turns when <see cref="RememberTurns"/>) and streams the answer into a new turn.</summary>
    public async Task SendAsync()
    {
        if (!CanSend) return;
        string prompt = Prompt.Trim();
        Prompt = "";
        if (EditingIndex is int from) Conversation.Turns.RemoveRange(from, Conversation.Turns.Count - from);
        EditingIndex = null;
        await RunAsync(prompt, Settings);
    }

    /// <summary>Asks again for the last turn's prompt with the next seed, replacing that turn's answer.</summary>
    public async Task RegenerateAsync()
    {
        if (IsRunning || Conversation.Latest is not { } last) return;
        Conversation.Turns.RemoveAt(Conversation.Turns.Count - 1);
        GenerationSettings settings = last.Settings.Clone();
        settings.Seed = last.Settings.Seed + 1;
        Settings.Seed = settings.Seed;
        await RunAsync(last.Prompt, settings);
    }

    /// <summary>Puts a turn's prompt back in the box; sending replaces that turn and every later one.</summary>
    public void Edit(ConversationTurn turn)
    {
        if (IsRunning) return;
        int index = Conversation.Turns.IndexOf(turn);
        if (index < 0) return;
        EditingIndex = index;
        Prompt = turn.Prompt;
    }

    public void CancelEdit()
    {
        EditingIndex = null;
        Prompt = "";
    }

    /// <summary>
    /// Ends the running turn at once: frames still on their way are dropped, the turn says it was stopped, and the
    /// cancellation reaches the server, which stops within one refinement step.
    /// </summary>
    public async Task StopAsync()
    {
        if (_running is not { } cts) return;
        _running = null;
        Conversation.Latest?.Cancel();
        cts.Cancel();
        await Raise();
    }

    /// <summary>Opens a token's trajectory for stepping; live following stops until the next send.</summary>
    public async Task OpenToken(ConversationTurn turn, TokenTrajectory token)
    {
        FollowLive = false;
        Select(turn, token);
        await Raise();
    }

    /// <summary>Returns to following the newest token of the running turn.</summary>
    public async Task FollowLatest()
    {
        FollowLive = true;
        if (Conversation.Latest is { } latest) Select(latest, latest.Current);
        await Raise();
    }

    /// <summary>The step the scrubber points at in the selected trajectory.</summary>
    public StepFrame? ScrubbedStep =>
        Selected is { } t && Scrubber.Current >= 1 && Scrubber.Current <= t.Steps.Count ? t.Steps[Scrubber.Current - 1] : null;

    private async Task RunAsync(string prompt, GenerationSettings settings)
    {
        Error = null;
        string context = RememberTurns ? Conversation.Context() : "";
        ConversationTurn turn = Conversation.Start(prompt, settings, settings.Checkpoint ?? "", context);
        var cts = new CancellationTokenSource();
        _running = cts;
        FollowLive = true;
        Select(turn, null);
        await Raise();
        try
        {
            RefinementRequest request = settings.ToRequest(turn.SentText);
            if (turn.Truth is not null) request.StopText = "\n";   // a task's answer ends at its line
            await foreach (RefinementFrame frame in refinement.Generate(request, cts.Token))
            {
                if (cts.IsCancellationRequested) break;   // Stop: what is still arriving is dropped
                Apply(turn, frame);
                if (frame is DoneFrame or ErrorFrame) await Raise();   // the end of the turn is drawn at once, not on the next tick
            }
        }
        catch (OperationCanceledException)
        {
            turn.Cancel();
        }
        finally
        {
            if (ReferenceEquals(_running, cts)) _running = null;
            cts.Dispose();
        }
        if (turn.Status == TurnStatus.Running) turn.Cancel();   // the stream ended without a done frame
        if (turn.Status == TurnStatus.Failed) Error = turn.Error;
        await Raise();
    }

    private void Apply(ConversationTurn turn, RefinementFrame frame)
    {
        TokenTrajectory? touched = turn.Apply(frame);
        if (FollowLive && touched is not null && ReferenceEquals(SelectedTurn, turn))
        {
            if (!ReferenceEquals(touched, Selected)) Select(turn, touched);
            else Scrubber.Grow(touched.Steps.Count);
        }
        Invalidated?.Invoke();
    }

    private void Select(ConversationTurn turn, TokenTrajectory? token)
    {
        SelectedTurn = turn;
        Selected = token;
        Scrubber.Load(token?.Steps.Count ?? 0);
    }

    private async Task Raise()
    {
        if (Changed is not null) await Changed();
    }
}
