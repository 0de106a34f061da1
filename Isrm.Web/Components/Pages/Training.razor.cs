using Isrm.Model.Evaluation;
using Isrm.Web.Extensions;
using Isrm.Web.Options;
using Isrm.Web.Refinement;
using Isrm.Web.State;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Isrm.Web.Components.Pages;

/// <summary>Loss curves (polled live), loss vs K, and a PCA view of one token's latent trajectory.</summary>
public partial class Training
{
    private readonly CancellationTokenSource _closing = new();
    private IReadOnlyList<TrainingRun> _runs = [];
    private IReadOnlyList<ScalingResult> _scaling = [];
    private LatentPcaSession _pca = null!;

    [Inject] private IOptions<TrainingViewOptions> Options { get; set; } = null!;
    [Inject] private IHostEnvironment Environment { get; set; } = null!;
    [Inject] private IRefinementService Refinement { get; set; } = null!;

    private string RunsFolder => Environment.ResolveFolder(Options.Value.RunsPath);
    private string ScalingPath => Path.Combine(Environment.ResolveFolder(Options.Value.ReportsPath), "scaling.json");

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
        _runs = TrainingData.ReadRuns(RunsFolder);
        _scaling = TrainingData.ReadScaling(ScalingPath);
    }

    private async Task RunPcaAsync() => await _pca.RunAsync();

    public void Dispose() => _closing.Cancel();
}
