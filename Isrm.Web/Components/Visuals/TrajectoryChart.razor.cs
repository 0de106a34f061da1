using Isrm.Web.Refinement;
using Isrm.Web.State;
using Microsoft.AspNetCore.Components;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace Isrm.Web.Components.Visuals;

/// <summary>
/// Confidence and entropy (top, linear) and delta and residual (bottom, log) against the refinement step of one
/// token. Live steps are appended with Plotly's extendTraces; a new token redraws once.
/// </summary>
public partial class TrajectoryChart
{
    private PlotlyChart? _chart;
    private int _stepCount;
    private readonly Config _config = new() { Responsive = true, DisplayModeBar = Plotly.Blazor.ConfigLib.DisplayModeBarEnum.False };
    private readonly Plotly.Blazor.Layout _layout = new()
    {
        Height = 420,
        Margin = new Margin { L = 60, R = 20, T = 10, B = 60 },
        ShowLegend = true,
        Legend = [new Plotly.Blazor.LayoutLib.Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, Y = 1.12m }],
        XAxis = [new XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = "refinement step · top token at that step" }, Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category, Anchor = "y2" }],
        YAxis =
        [
            new YAxis { Domain = [0.55m, 1m], Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = "prob / nats" } },
            new YAxis { Domain = [0m, 0.45m], Type = Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log, Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = "norm (log)" } },
        ],
    };
    private readonly IList<ITrace> _data = NewTraces();

    [Parameter] public string ChartId { get; set; } = "trajectory";
    [Parameter] public string Title { get; set; } = "Trajectory of the token being refined";

    /// <summary>Replaces the chart's content with <paramref name="trajectory"/>'s steps.</summary>
    public async Task ShowAsync(TokenTrajectory? trajectory)
    {
        _data.Clear();
        foreach (ITrace trace in NewTraces()) _data.Add(trace);
        _stepCount = 0;
        foreach (StepFrame s in trajectory?.Steps ?? []) AddPoint(s);
        if (_chart is not null) await _chart.React();
        StateHasChanged();
    }

    /// <summary>Appends one live step (no redraw).</summary>
    public async Task AppendAsync(StepFrame step)
    {
        AddPoint(step);
        if (_chart is null) return;
        string label = TrajectorySeries.Label(step);
        object?[] values = TrajectorySeries.Values(step);
        await _chart.ExtendTraces(
            values.Select(_ => (IEnumerable<object>)[label]),
            values.Select(v => (IEnumerable<object>)[v!]),
            Enumerable.Range(0, values.Length));
        StateHasChanged();
    }

    // Keeps the C# copy in step with the browser's so that a later React shows the same points.
    private void AddPoint(StepFrame s)
    {
        _stepCount++;
        string label = TrajectorySeries.Label(s);
        object?[] values = TrajectorySeries.Values(s);
        for (int i = 0; i < values.Length; i++)
        {
            var trace = (Scatter)_data[i];
            trace.X.Add(label);
            trace.Y.Add(values[i]!);
        }
    }

    private static IList<ITrace> NewTraces() =>
        TrajectorySeries.Names.Select((name, i) => (ITrace)new Scatter
        {
            Name = name,
            Mode = ModeFlag.Lines | ModeFlag.Markers,
            X = new List<object>(),
            Y = new List<object>(),
            YAxis = i < 2 ? "y" : "y2",
        }).ToList();
}
