using System.Globalization;
using Isrm.Web.Components.Visuals;
using Isrm.Web.Refinement;
using Isrm.Web.State;
using Microsoft.AspNetCore.Components;
using Plotly.Blazor;
using Plotly.Blazor.Traces;

namespace Isrm.Web.Components.Pages;

/// <summary>Two runs side by side with one scrubber and the approximate per-step KL between them.</summary>
public partial class Compare
{
    private readonly CompareSession Session = new();
    private IReadOnlyList<CheckpointListing> _checkpoints = [];
    private IReadOnlyList<double> _kl = [];
    private ComparePane? _left, _right;
    private PlotlyChart? _klChart;
    private readonly Config _klConfig = new() { Responsive = true, DisplayModeBar = Plotly.Blazor.ConfigLib.DisplayModeBarEnum.False };
    private readonly Plotly.Blazor.Layout _klLayout = new()
    {
        Height = 260,
        Margin = new Plotly.Blazor.LayoutLib.Margin { L = 60, R = 20, T = 10, B = 45 },
        XAxis = [new Plotly.Blazor.LayoutLib.XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = "refinement step" } }],
        YAxis = [new Plotly.Blazor.LayoutLib.YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = "≈ KL (nats, top-k)" } }],
    };
    private readonly IList<ITrace> _klData = [new Scatter { Name = "≈ KL(left‖right)", X = new List<object>(), Y = new List<object>() }];

    [Inject] private IRefinementService Refinement { get; set; } = null!;

    private StepFrame? LeftStep => StepAt(Session.LeftToken);
    private StepFrame? RightStep => StepAt(Session.RightToken);
    private string KlAtCurrent => _kl.Count == 0 ? "–"
        : _kl[Math.Clamp(Session.Scrubber.Current - 1, 0, _kl.Count - 1)].ToString("0.0000", CultureInfo.InvariantCulture);

    protected override void OnInitialized() =>
        // Both sides stream at once; each step of the selected token is appended to its side's chart as it comes.
        Session.StepAppended += (left, step) => InvokeAsync(() => (left ? _left : _right)?.Chart?.AppendAsync(step) ?? Task.CompletedTask);

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        _checkpoints = Refinement.ListCheckpoints();
        string? first = _checkpoints.FirstOrDefault(c => c.Usable)?.Name;
        Session.LeftSettings.Checkpoint ??= first;
        Session.RightSettings.Checkpoint ??= first;
        Session.LeftSettings.MaxK = Session.RightSettings.MaxK = Refinement.MaxLoops;
        StateHasChanged();
    }

    private async Task RunAsync()
    {
        if (_left?.Chart is { } l) await l.ShowAsync(null);
        if (_right?.Chart is { } r) await r.ShowAsync(null);
        await Session.RunAsync(Refinement, () => InvokeAsync(StateHasChanged));
        await RedrawAsync();
    }

    private async Task SelectAsync(int tokenIndex)
    {
        Session.Select(tokenIndex);
        await RedrawAsync();
    }

    private async Task RedrawAsync()
    {
        _kl = Session.KlPerStep();
        var trace = (Scatter)_klData[0];
        trace.X = _kl.Select((_, i) => (object)(i + 1)).ToList();
        trace.Y = _kl.Select(v => (object)v).ToList();
        if (_left?.Chart is { } l) await l.ShowAsync(Session.LeftToken);
        if (_right?.Chart is { } r) await r.ShowAsync(Session.RightToken);
        if (_klChart is not null) await _klChart.React();
        StateHasChanged();
    }

    private StepFrame? StepAt(TokenTrajectory? token) =>
        token is null || token.Steps.Count == 0 ? null : token.Steps[Math.Clamp(Session.Scrubber.Current - 1, 0, token.Steps.Count - 1)];
}
