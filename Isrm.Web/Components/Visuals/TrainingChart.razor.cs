using Isrm.Web.State;
using Microsoft.AspNetCore.Components;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace Isrm.Web.Components.Visuals;

/// <summary>Train and validation loss of every run against the optimiser step.</summary>
public partial class TrainingChart
{
    private PlotlyChart? _chart;
    private string _shownKey = "";
    private readonly Config _config = new() { Responsive = true, DisplayModeBar = Plotly.Blazor.ConfigLib.DisplayModeBarEnum.False };
    private readonly Plotly.Blazor.Layout _layout = new()
    {
        Height = 380,
        Margin = new Plotly.Blazor.LayoutLib.Margin { L = 60, R = 20, T = 10, B = 45 },
        XAxis = [new Plotly.Blazor.LayoutLib.XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = "optimiser step" } }],
        YAxis = [new Plotly.Blazor.LayoutLib.YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = "loss (nats/token)" } }],
    };
    private readonly IList<ITrace> _data = [];

    [Parameter] public IReadOnlyList<TrainingRun> Runs { get; set; } = [];
    [Parameter] public string RunsFolder { get; set; } = "";

    protected override async Task OnParametersSetAsync()
    {
        string key = string.Join("|", Runs.Select(r => $"{r.Name}:{r.Points.Count}"));
        if (key == _shownKey) return;
        _shownKey = key;
        _data.Clear();
        foreach (TrainingRun run in Runs)
        {
            _data.Add(new Scatter
            {
                Name = $"{run.Name} train", Mode = ModeFlag.Lines,
                X = run.Points.Select(p => (object)p.Step).ToList(), Y = run.Points.Select(p => (object)p.TrainLoss).ToList(),
            });
            var val = run.Points.Where(p => p.ValLoss is not null).ToList();
            if (val.Count > 0)
                _data.Add(new Scatter
                {
                    Name = $"{run.Name} validation", Mode = ModeFlag.Lines | ModeFlag.Markers,
                    X = val.Select(p => (object)p.Step).ToList(), Y = val.Select(p => (object)p.ValLoss!.Value).ToList(),
                });
        }
        if (_chart is not null) await _chart.React();
    }
}
