namespace Isrm.Web.Components.Pages;

/// <summary>The Puzzles page: pick or type an instance, move K, watch the answer spread over the grid as the model thinks.</summary>
public partial class Puzzles
{
    private PuzzleCanvas? _canvas, _twinCanvas;
    private PuzzleCurve? _curve;
    private IReadOnlyList<PuzzleCurve> _textCurves = [];
    private string? _curveFor;
    private DateTime _lastRender;

    [Inject] private IRefinementService Refinement { get; set; } = null!;
    [Inject] private PuzzleCurves Curves { get; set; } = null!;
    [Inject] private Microsoft.Extensions.Options.IOptions<Isrm.Web.Options.PuzzleOptions> Limits { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private Microsoft.JSInterop.IJSRuntime Js { get; set; } = null!;

    private PuzzleView View { get; set; } = null!;
    /// <summary>The intervened copy of <see cref="View"/>'s solve, drawn beside it.</summary>
    private PuzzleView Twin { get; set; } = null!;

    private bool Running => View.IsRunning || Twin.IsRunning;

    private string PathKey => View.PathFrames.LastOrDefault() is { } last ? $"{View.Frames.Count}:{last.Step}:{last.Paths!.Endings is not null}" : "";

    // Cells right per run (top) and each run's distance from the own start's state, log scale (bottom); run 0 bold.
    private IReadOnlyList<object> PathTraces
    {
        get
        {
            List<PuzzleStepFrame> frames = View.PathFrames.ToList();
            if (frames.Count == 0) return [];
            int[] steps = frames.Select(f => f.Step).ToArray();
            int runs = frames[0].Paths!.Distance.Length;
            var traces = new List<object>();
            for (int r = 0; r < runs; r++)
            {
                int run = r;
                string name = run == 0 ? "own start" : $"start {run}";
                var line = new { width = run == 0 ? 3 : 1.2 };
                traces.Add(new { name, legendgroup = name, type = "scatter", mode = "lines", x = steps, y = frames.Select(f => f.Paths!.Correct![run]).ToArray(), line });
                if (run > 0)
                    traces.Add(new { name, legendgroup = name, showlegend = false, type = "scatter", mode = "lines", xaxis = "x2", yaxis = "y2", x = steps,
                        y = frames.Select(f => Math.Max(f.Paths!.Distance[run], 1e-9f)).ToArray(), line });
            }
            traces.Add(new { name = "different answers", type = "scatter", mode = "lines", xaxis = "x2", yaxis = "y3", x = steps,
                y = frames.Select(f => f.Paths!.DistinctAnswers).ToArray(), line = new { color = "#424242", dash = "dot", width = 2, shape = "hv" } });
            return traces;
        }
    }

    private object PathLayout => new
    {
        height = 420,
        margin = new { l = 64, r = 56, t = 8, b = 45 },
        font = new { size = 13, color = "#212121" },
        showlegend = true,
        legend = new { orientation = "h", y = -0.22 },
        xaxis = new { anchor = "y", matches = "x2", showticklabels = false },
        yaxis = new { title = new { text = "cells right" }, domain = new[] { 0.55, 1.0 } },
        xaxis2 = new { anchor = "y2", title = new { text = "refinement step" } },
        yaxis2 = new { title = new { text = "‖yᵢ − y₀‖ / ‖y₀‖" }, type = "log", domain = new[] { 0.0, 0.45 } },
        yaxis3 = new { title = new { text = "answers" }, overlaying = "y2", side = "right", rangemode = "tozero", dtick = 1 },
    };

    // Where the intervened answer parted from the original, and how both ended.
    private string Divergence
    {
        get
        {
            if (Twin.Intervention is not { } made || View.Frames.Count == 0) return "";
            string parted = Twin.FirstDifference(View) is var (step, cells)
                ? $"The answers part at step {step} ({cells} {(cells == 1 ? "cell differs" : "cells differ")})."
                : Twin.Frames.Count == 0 ? "" : "The intervened answer is the original's at every streamed step so far.";
            string Ending(PuzzleView v) => v.Done is { } d ? (d.SolvedAt is int at ? $"solved at step {at}" : $"not solved, {d.Correct} of {d.Cells} cells right") : "running";
            return Running ? parted : $"{parted} Original: {Ending(View)}; intervened ({made.Describe(text: false)}): {Ending(Twin)}.";
        }
    }

    private string State => View.IsRunning ? "running" : View.Error is not null ? "error" : View.Stopped ? "stopped"
        : View.Done is not null ? "done" : "idle";

    private string ScrubLabel => View.ScrubbedFrame is { } f
        ? $"step {f.Step} ({View.Scrubber.Current} of {View.Scrubber.StepCount} frames): {f.Correct} of {f.Cells} right{(f.Solved ? ", solved" : "")}"
        : "no steps yet";

    protected override void OnInitialized()
    {
        View = new PuzzleView((request, cancellation) => Refinement.Solve(request, cancellation), Limits.Value);
        View.Changed += () => InvokeAsync(Render);
        View.Started += start => InvokeAsync(() => _canvas?.InitAsync(start, MaxFrames(start)) ?? Task.CompletedTask);
        View.InstanceShown += start => InvokeAsync(() => _canvas?.InitAsync(start, 1) ?? Task.CompletedTask);
        View.FramesArrived += batch => InvokeAsync(() => _canvas?.PushAsync(batch) ?? Task.CompletedTask);
        Twin = new PuzzleView((request, cancellation) => Refinement.Solve(request, cancellation), Limits.Value);
        Twin.Changed += () => InvokeAsync(Render);
        Twin.Started += start => InvokeAsync(() => _twinCanvas?.InitAsync(start, MaxFrames(start)) ?? Task.CompletedTask);
        Twin.FramesArrived += batch => InvokeAsync(() => _twinCanvas?.PushAsync(batch) ?? Task.CompletedTask);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        await View.LoadCheckpointsAsync(Refinement.ListCheckpoints());
        LoadCurve();
        _textCurves = Curves.TextTaskCurves();
        StateHasChanged();
        // A shared link: its task, checkpoint, instance and K, and a solve on open when it says run=1.
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query)
            .ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        if (query.Count > 0)
        {
            await View.OpenLinkAsync(query, SolveAsync);
            LoadCurve();
            if (_canvas is not null && View.Done is not null) await _canvas.FlushAsync();
            StateHasChanged();
        }
    }

    private static int MaxFrames(PuzzleStartFrame start) => FrameSampler.Count(start.K ?? start.Cap, Math.Max(1, start.DenseSteps)) + 2;

    // Step frames re-render the status at most ~8 times a second; everything else at once.
    private Task Render()
    {
        if (View.IsRunning && View.Frames.Count > 0 && DateTime.UtcNow - _lastRender < TimeSpan.FromMilliseconds(120)) return Task.CompletedTask;
        _lastRender = DateTime.UtcNow;
        StateHasChanged();
        return Task.CompletedTask;
    }

    private async Task SolveAsync()
    {
        if (View.Intervening && View.CanSolve)
        {
            // the original and the intervened copy run at once, each on the checkpoint's worker like any two requests
            Twin.Mirror(View);
            Twin.Intervention = View.FormIntervention;
            StateHasChanged();
            await Task.Yield();   // the intervened canvas is on the page before its first frame
            await Task.WhenAll(View.SolveAsync(), Twin.SolveAsync());
            if (_twinCanvas is not null && !Twin.Stopped) await _twinCanvas.FlushAsync();
        }
        else
        {
            if (Twin.Intervention is not null) StateHasChanged();
            Twin.Clear();
            Twin.Intervention = null;
            await View.SolveAsync();
        }
        if (_canvas is not null && !View.Stopped) await _canvas.FlushAsync();
        _lastRender = DateTime.MinValue;
        StateHasChanged();
    }

    private async Task EditAsync(int row, int col, int toRow, int toCol)
    {
        await View.EditAsync(row, col, toRow, toCol);
        StateHasChanged();
    }

    private async Task ExportHtmlAsync()
    {
        if (View.Start is not { } start || View.Frames.Count == 0) return;
        string html = Isrm.Web.Replay.RunReplay.Solve(start, View.Frames, View.Status);
        await Js.InvokeVoidAsync("isrm.download", $"isrm-{start.Task}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.html", html, "text/html");
    }

    private async Task CopyLinkAsync() => await Js.InvokeVoidAsync("isrm.copy", Navigation.BaseUri + "puzzles" + View.ShareQuery());

    private async Task StopAsync()
    {
        View.Stop();
        Twin.Stop();
        if (_canvas is not null) await _canvas.FlushAsync();
        if (_twinCanvas is not null && Twin.Intervention is not null) await _twinCanvas.FlushAsync();
    }

    private async Task ScrubAsync(object? value)
    {
        if (!int.TryParse(value as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out int frame)) return;
        View.Scrubber.Seek(frame);
        if (_canvas is not null && View.Scrubber.Current > 0) await _canvas.ShowAsync(View.Scrubber.Current - 1);
        await ShowTwinAsync();
    }

    // The intervened canvas shows the step the original's scrubber points at (or the nearest step it streamed before it).
    private async Task ShowTwinAsync()
    {
        if (_twinCanvas is null || Twin.Intervention is null || View.ScrubbedFrame is not { } shown || Twin.Frames.Count == 0) return;
        int index = Twin.Frames.FindLastIndex(f => f.Step <= shown.Step);
        await _twinCanvas.ShowAsync(Math.Max(0, index));
    }

    private int? SolvedAt => View.Done?.SolvedAt ?? View.Frames.LastOrDefault()?.SolvedAt;

    private void SetGenerator(string? name) => View.Generator = string.IsNullOrEmpty(name) ? View.Task.Variants.FirstOrDefault() ?? "" : name;

    private async Task SetTaskAsync(string? task)
    {
        await View.SetTaskAsync(PuzzleTasks.Parse(task));
        LoadCurve();
    }

    /// <summary>Scrubs to the streamed frame of <paramref name="step"/> (the solved step is always streamed).</summary>
    private async Task ShowStepAsync(int step)
    {
        int index = View.Frames.FindIndex(f => f.Step == step);
        if (index < 0) return;
        View.Scrubber.Seek(index + 1);
        if (_canvas is not null) await _canvas.ShowAsync(index);
        await ShowTwinAsync();
    }

    private void SetCheckpoint(string? name)
    {
        View.Checkpoint = string.IsNullOrEmpty(name) ? null : name;
        LoadCurve();
    }

    private void LoadCurve()
    {
        if (_curveFor == View.Checkpoint) return;
        _curveFor = View.Checkpoint;
        _curve = View.Checkpoint is string name ? Curves.For(name) : null;
    }

    private static void SetInt(object? value, Action<int> set)
    {
        if (int.TryParse(value as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) set(v);
    }

    public void Dispose()
    {
        View.Stop();
        Twin.Stop();
    }
}
