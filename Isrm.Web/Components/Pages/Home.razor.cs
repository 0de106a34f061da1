namespace Isrm.Web.Components.Pages;

/// <summary>
/// The chat: prompt, live trajectory of the token being refined, stepping, the step grid. Frames are folded into
/// <see cref="ChatSession"/> as they arrive; the page draws the latest state at most once per frame budget.
/// </summary>
public partial class Home
{
    private ChatPanel? _panel;
    private TrajectoryChart? _chart;
    private StepGrid? _grid;
    private FrameBudget _budget = null!;
    private DotNetObjectReference<Home>? _self;
    private int _turnsShown;
    private TurnStatus? _latestStatus;

    [Inject] private IRefinementService Refinement { get; set; } = null!;
    [Inject] private IJSRuntime Js { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;

    private ChatSession Session { get; set; } = null!;

    private string TrajectoryTitle => Session.Selected is { } t
        ? $"{(Session.FollowLive && !t.IsFinished ? "Live: " : "")}token #{t.TokenIndex} '{TokenText.Visible(t.Display)}' — {t.Steps.Count} steps"
        : "Trajectory of the token being refined";

    private string ScrubberTitle => Session.Selected is { } t
        ? $"Step through token #{t.TokenIndex} (scrub, replay, or use the arrows)"
        : "Step through a token's trajectory";

    protected override void OnInitialized()
    {
        Session = new ChatSession(Refinement);
        _budget = new FrameBudget(_ => InvokeAsync(DrawAsync));
        Session.Invalidated += _budget.Invalidate;
        Session.Changed += _budget.FlushAsync;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _self = DotNetObjectReference.Create(this);
        await Js.InvokeVoidAsync("isrm.onEscape", _self);
        Session.LoadCheckpoints();
        StateHasChanged();
        // A shared link: its settings and prompt, and a run on open when it says run=1.
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query)
            .ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        await Session.OpenLinkAsync(query);
    }

    /// <summary>One frame: the markup (text, status) and the two canvases, from the latest state.</summary>
    private async Task DrawAsync()
    {
        try
        {
            StateHasChanged();
            ConversationTurn? turn = Session.SelectedTurn;
            bool final = turn is not null && turn.Status != TurnStatus.Running;
            if (_grid is not null) await _grid.DrawAsync(turn, Session.Selected?.TokenIndex ?? -1, Session.Scrubber.Current, final);
            if (_chart is not null) await _chart.DrawAsync(Session.Selected, Session.Scrubber.Current);
            if (_panel is not null)
            {
                // a new turn, or the end of one (its status and any limit it hit), is brought into view
                TurnStatus? status = Session.Conversation.Latest?.Status;
                bool force = Session.Conversation.Turns.Count != _turnsShown || status != _latestStatus;
                _turnsShown = Session.Conversation.Turns.Count;
                _latestStatus = status;
                await Js.InvokeVoidAsync("isrm.follow", _panel.History, force);
            }
            // the end of the turn is on the screen (the stream itself may close a moment later)
            if (Session.Conversation.Latest is { Status: not TurnStatus.Running, DrawnSeconds: null } latest)
            {
                latest.MarkDrawn();
                StateHasChanged();
            }
        }
        catch (JSDisconnectedException)
        {
            // the browser left; nothing to draw on
        }
    }

    private Task DrawNowAsync() => _budget.FlushAsync();

    private async Task SendAsync()
    {
        await Session.SendAsync();
        // The run's settings live in the address bar (without run=1: a reload shows them, the copied link runs them).
        // history.replaceState only rewrites the address: no navigation, so nothing of the page re-renders or re-runs.
        if (Session.Conversation.Latest is { } turn)
        {
            try { await Js.InvokeVoidAsync("history.replaceState", null, "", Navigation.BaseUri + ChatLink.For(turn.Settings, turn.Prompt, run: false)); }
            catch (JSDisconnectedException) { }   // the tab is gone: no address to update
        }
    }

    /// <summary>The largest conversation export the page reads back (K = 256 over a few hundred tokens is a few MB).</summary>
    private const long MaxExportBytes = 32 << 20;

    private async Task LoadExportAsync(Microsoft.AspNetCore.Components.Forms.InputFileChangeEventArgs e)
    {
        if (e.File.Size > MaxExportBytes)
        {
            await Session.LoadExportAsync("");   // not an export: the page's sentence
            return;
        }
        using var reader = new StreamReader(e.File.OpenReadStream(MaxExportBytes));
        await Session.LoadExportAsync(await reader.ReadToEndAsync());
        await DrawNowAsync();
    }

    // The compare view's link for an intervention after the scrubbed step of the selected token (null with none selected).
    private string? InterveneLink => Session.SelectedTurn is { Status: not TurnStatus.Running } turn && Session.Selected is { } token
        ? "compare" + ChatLink.For(turn.Settings, turn.SentText, run: false) + "&" + InterventionLink.For(
            new Isrm.Model.Refinement.InterventionRequest { At = token.TokenIndex, Step = Math.Max(0, Math.Min(Session.Scrubber.Current, token.Steps.Count - 1)) }, text: true)
        : null;

    private async Task CopyLinkAsync() => await Js.InvokeVoidAsync("isrm.copy", Navigation.BaseUri + Session.ShareQuery());

    private Task StopAsync() => Session.StopAsync();

    /// <summary>Esc anywhere on the page stops the running turn.</summary>
    [JSInvokable]
    public Task StopFromKeyboard() => InvokeAsync(Session.StopAsync);

    private Task OpenTokenAsync((ConversationTurn Turn, TokenTrajectory Token) pick) => Session.OpenToken(pick.Turn, pick.Token);

    private async Task OpenCellAsync((int Token, int Step) cell)
    {
        if (Session.SelectedTurn is not { } turn || cell.Token >= turn.Tokens.Count) return;
        await Session.OpenToken(turn, turn.Tokens[cell.Token]);
        Session.Scrubber.Seek(cell.Step);
        await _budget.FlushAsync();
    }

    private int? ContextOf(string checkpoint) => Session.Checkpoints.FirstOrDefault(c => c.Name == checkpoint)?.MaxContext;

    private bool ByteTokensOf(string checkpoint) => Session.Checkpoints.FirstOrDefault(c => c.Name == checkpoint)?.ByteTokens ?? false;

    private async Task CopyAsync() => await Js.InvokeVoidAsync("isrm.copy", Session.Conversation.ExportText());

    private async Task ExportHtmlAsync() =>
        await Js.InvokeVoidAsync("isrm.download", $"isrm-conversation-{DateTime.UtcNow:yyyyMMdd-HHmmss}.html",
            Isrm.Web.Replay.RunReplay.Conversation(Session.Conversation.ExportJson()), "text/html");

    private async Task ExportAsync() =>
        await Js.InvokeVoidAsync("isrm.download", $"isrm-conversation-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json", Session.Conversation.ExportJson());

    public async ValueTask DisposeAsync()
    {
        // nothing is drawn any more: the page is going away
        Session.Invalidated -= _budget.Invalidate;
        Session.Changed -= _budget.FlushAsync;
        _budget.Dispose();
        await Session.StopAsync();
        _self?.Dispose();
    }
}
