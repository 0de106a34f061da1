namespace Isrm.Web.Components.Visuals;

/// <summary>
/// Confidence and entropy (top, linear) and delta and residual (bottom, log, clean ticks) against the refinement
/// step of one token, drawn by <c>js/plot.js</c>. Each draw sends only the steps the chart does not have yet.
/// </summary>
public partial class TrajectoryChart : IAsyncDisposable
{
    private ElementReference _plot;
    private IJSObjectReference? _module;
    private readonly TrajectoryFeed _feed = new();
    private int _steps;
    // A draw asked for before the chart's script had loaded (a link that runs on open can finish that fast).
    private (TokenTrajectory? Token, int Mark, ChartRange? Range)? _pending;

    [Inject] private IJSRuntime Js { get; set; } = null!;

    [Parameter] public string ChartId { get; set; } = "trajectory";
    [Parameter] public string Title { get; set; } = "";

    private string Description => _steps == 0
        ? "Trajectory chart, empty."
        : $"Trajectory chart of {_steps} refinement steps: confidence and entropy above, delta and residual on a log scale below. The step grid and the scrubber give the same numbers.";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        var module = await Js.InvokeAsync<IJSObjectReference>("import", "./js/plot.js");
        await module.InvokeVoidAsync("preload");
        _module = module;
        if (_pending is { } pending)
        {
            _pending = null;
            await DrawAsync(pending.Token, pending.Mark, pending.Range);
        }
    }

    /// <summary>Shows <paramref name="token"/> (appending its new steps), the scrubbed step marked, on an optional shared scale.</summary>
    public async Task DrawAsync(TokenTrajectory? token, int markStep, ChartRange? range = null)
    {
        if (_module is null)
        {
            _pending = (token, markStep, range);
            return;
        }
        TrajectoryBatch? batch = _feed.Next(token);
        int steps = token?.Steps.Count ?? 0;
        await _module.InvokeVoidAsync("trajectory", _plot, batch?.Key ?? "", batch?.Reset ?? false, batch?.Points, markStep, range);
        if (steps != _steps)
        {
            _steps = steps;
            StateHasChanged();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_module is not null)
            {
                await _module.InvokeVoidAsync("purge", _plot);
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // the browser is gone: nothing to free there
        }
    }
}
