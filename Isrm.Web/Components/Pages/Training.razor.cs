using Isrm.Model.Evaluation;

namespace Isrm.Web.Components.Pages;

/// <summary>
/// Loss curves (polled live) of the shipped checkpoints and of the configured runs folder, loss vs K from any scaling
/// report under the reports folder, and a PCA view of one token's latent trajectory.
/// </summary>
public partial class Training
{
    private readonly CancellationTokenSource _closing = new();
    private readonly TrainingFiles _files = new();
    private IReadOnlyList<TrainingRun> _runs = [];
    private IReadOnlyList<ScalingReport> _reports = [];
    private IReadOnlyList<ScalingResult> _scaling = [];
    private string? _report;

    /// <summary>The report the page opens on: the shipped checkpoints as they are now (reports/scaling/current).</summary>
    internal const string CurrentReport = "scaling/current";
    private LatentPcaSession _pca = null!;

    [Inject] private IOptions<TrainingViewOptions> Options { get; set; } = null!;
    [Inject] private IOptions<CheckpointOptions> Checkpoints { get; set; } = null!;
    [Inject] private IHostEnvironment Environment { get; set; } = null!;
    [Inject] private IRefinementService Refinement { get; set; } = null!;

    private string CheckpointsFolder => Environment.ResolveFolder(Checkpoints.Value.CheckpointsPath);
    private string RunsFolder => Environment.ResolveFolder(Options.Value.RunsPath);
    private string ReportsFolder => Environment.ResolveFolder(Options.Value.ReportsPath);
    private IReadOnlyList<string> Folders => [CheckpointsFolder, RunsFolder];

    protected override void OnInitialized()
    {
        _pca = new LatentPcaSession(Refinement);
        Read();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        _pca.LoadCheckpoints();
        StateHasChanged();
        _ = PollAsync();
    }

    // Polling (not FileSystemWatcher): works the same on every file system, including mounted volumes.
    private async Task PollAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, Options.Value.PollSeconds)));
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token))
            {
                Read();
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException)
        {
            // the page closed
        }
    }

    private void Read()
    {
        _runs = _files.Read([("checkpoints", CheckpointsFolder), ("runs", RunsFolder)]);
        _reports = TrainingData.FindScalingReports(ReportsFolder);
        // the main report by default: the one the README quotes
        if (_report is null || _reports.All(r => r.Name != _report))
            _report = (_reports.FirstOrDefault(r => r.Name == CurrentReport) ?? _reports.FirstOrDefault())?.Name;
        _scaling = _reports.FirstOrDefault(r => r.Name == _report) is { } report ? TrainingData.ReadScaling(report.Path) : [];
    }

    private void SelectReport(string? name)
    {
        _report = name;
        Read();
    }

    private async Task RunPcaAsync() => await _pca.RunAsync();

    public void Dispose() => _closing.Cancel();
}
