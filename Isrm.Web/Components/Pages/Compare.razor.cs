namespace Isrm.Web.Components.Pages;

/// <summary>Two runs side by side, drawn live on one y-scale, with one scrubber and the approximate per-step KL.</summary>
public partial class Compare
{
    private readonly CompareSession Session = new();
    private IReadOnlyList<CheckpointListing> _checkpoints = [];
    private IReadOnlyList<double> _kl = [];
    private string _klKey = "";
    private ComparePane? _left, _right;
    private FrameBudget _budget = null!;

    [Inject] private IRefinementService Refinement { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private Microsoft.JSInterop.IJSRuntime Js { get; set; } = null!;

    private StepFrame? LeftStep => StepAt(Session.LeftToken);
    private StepFrame? RightStep => StepAt(Session.RightToken);
    private string KlAtCurrent => _kl.Count == 0 ? "–"
        : _kl[Math.Clamp(Session.Scrubber.Current - 1, 0, _kl.Count - 1)].ToString("0.0000", CultureInfo.InvariantCulture);

    private string Alignment => Session.DivergenceIndex is int d
        ? $"Both sides continue the same text up to token #{d}, where they chose different tokens (marked). Later positions continue different texts, so their steps are shown but not comparable."
        : "Both sides show the same token position of the same text; the two charts share one y-scale.";

    private IReadOnlyList<object> KlTraces =>
    [
        new { name = "≈ KL(left‖right)", type = "scatter", mode = "lines+markers", x = _kl.Select((_, i) => i + 1).ToArray(), y = _kl.ToArray(), line = new { color = "#1565c0" } },
    ];

    private object KlLayout => new
    {
        height = 260,
        margin = new { l = 60, r = 16, t = 8, b = 45 },
        font = new { size = 13, color = "#212121" },
        xaxis = new { title = new { text = "refinement step" }, tick0 = 1, dtick = Math.Max(1, (int)Math.Ceiling(_kl.Count / 12.0)), tickformat = "d" },   // whole steps only: half ticks rounded to "d" repeated labels
        yaxis = new { title = new { text = "≈ KL (nats, top-k)" }, rangemode = "tozero" },
        shapes = (Session.Scrubber.Current > 0
            ? new object[] { new { type = "line", xref = "x", yref = "paper", x0 = Session.Scrubber.Current, x1 = Session.Scrubber.Current, y0 = 0, y1 = 1, line = new { color = "#424242", width = 2, dash = "dot" } } }
            : []).Concat(Session.RunIntervention is { } change && change.At == Session.TokenIndex
            ? new object[] { new { type = "line", xref = "x", yref = "paper", x0 = change.Step + 0.5, x1 = change.Step + 0.5, y0 = 0, y1 = 1, line = new { color = "#c62828", width = 2 } } }
            : []).ToArray(),
    };

    protected override void OnInitialized()
    {
        _budget = new FrameBudget(_ => InvokeAsync(DrawAsync));
        Session.Invalidated += _budget.Invalidate;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _checkpoints = TextCheckpoints.List(Refinement);
        Session.LeftSettings.MaxK = Session.RightSettings.MaxK = Refinement.MaxK;
        string? first = TextCheckpoints.Opening(_checkpoints, Refinement);
        Session.LeftSettings.Checkpoint ??= first;
        Session.RightSettings.Checkpoint ??= first;
        StateHasChanged();
        // A link: the left side's settings and prompt, an intervention for the right side, and a run on open with run=1.
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query)
            .ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        if (query.Count == 0) return;
        string? prompt = ChatLink.Apply(query, Session.LeftSettings, _checkpoints.Where(c => c.Usable).Select(c => c.Name), out bool run, out string? problem);
        if (problem is null && InterventionLink.Read(query, out problem) is { } change) Session.Take(change);
        problem ??= Session.TakeRight(query, _checkpoints.Where(c => c.Usable).Select(c => c.Name));
        if (prompt is not null) Session.Prompt = prompt;
        if (problem is not null) { Session.Fail(problem); StateHasChanged(); return; }
        StateHasChanged();
        if (run) await RunAsync();
    }

    private Task RunAsync() => Session.RunAsync(Refinement, _budget.FlushAsync);

    private void InterveneHere()
    {
        Session.InterveneAt = Session.TokenIndex;
        Session.InterveneStep = Math.Max(0, Session.Scrubber.Current);
    }

    private async Task CopyLinkAsync() => await Js.InvokeVoidAsync("isrm.copy", Navigation.BaseUri + "compare" + Session.ShareQuery());

    // Where the intervened run parted from the original: the token whose text changed, or the step whose top token did.
    private string InterventionSummary(Isrm.Model.Refinement.InterventionRequest made)
    {
        string what = $"Right side: {made.Describe(text: true)} (red line on the divergence chart).";
        if (Session.Right is { Status: TurnStatus.Running } || Session.Left is { Status: TurnStatus.Running }) return what;
        if (Session.Right is { } right && right.Tokens.Count <= made.At)
            return $"{what} The right side ended before token #{made.At}, so the intervention was never made.";
        if (Session.Right is { } ended && ended.Tokens[made.At].Steps.Count <= made.Step)
            return $"{what} Token #{made.At} stopped at step {ended.Tokens[made.At].Steps.Count} (K = ∞ found it settled), before the change after step {made.Step}: nothing was changed.";
        string texts = Session.DivergenceIndex is int d
            ? $" The texts part at token #{d}."
            : " The two texts are the same.";
        string steps = Session.TokenIndex == made.At
            ? Session.FirstDifferentStep is int s ? $" On token #{made.At} the top token first differs at step {s}." : $" On token #{made.At} the top token is the same at every step."
            : "";
        return what + texts + steps;
    }

    private Task StopAsync() => Session.StopAsync(_budget.FlushAsync);

    private async Task SelectAsync(int tokenIndex)
    {
        Session.Select(tokenIndex);
        if (!Session.IsRunning) Session.InterveneAt = tokenIndex;
        await _budget.FlushAsync();
    }

    private Task DrawNowAsync() => _budget.FlushAsync();

    /// <summary>One frame: both charts on one y-scale, the KL curve, the markup.</summary>
    private async Task DrawAsync()
    {
        try
        {
            _kl = Session.KlPerStep();
            _klKey = $"{Session.TokenIndex}:{_kl.Count}:{Session.Scrubber.Current}:{Session.Left?.GetHashCode()}";
            ChartRange? range = ChartRange.Over(Session.LeftToken, Session.RightToken);
            if (_left?.Chart is { } l) await l.DrawAsync(Session.LeftToken, Session.Scrubber.Current, range);
            if (_right?.Chart is { } r) await r.DrawAsync(Session.RightToken, Session.Scrubber.Current, range);
            StateHasChanged();
        }
        catch (Microsoft.JSInterop.JSDisconnectedException)
        {
            // the browser left
        }
    }

    private StepFrame? StepAt(TokenTrajectory? token) =>
        token is null || token.Steps.Count == 0 ? null : token.Steps[Math.Clamp(Session.Scrubber.Current - 1, 0, token.Steps.Count - 1)];

    public void Dispose()
    {
        _ = Session.StopAsync(() => Task.CompletedTask);
        _budget.Dispose();
    }
}
