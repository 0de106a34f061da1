using Isrm.Model.Generation;
using Isrm.Web.Models;
using Isrm.Web.Services;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Isrm.Tests.Web;

/// <summary>The hosted model service: LRU of loaded checkpoints, one request at a time per model, cancellation.</summary>
public sealed class ModelServiceTests : IDisposable
{
    private readonly CheckpointFolder _folder = new CheckpointFolder().WithFake("a").WithFake("b").WithFake("c");
    private readonly FakeGenerationBackend _backend = new();

    private ModelService Service(int maxLoaded = 2, int queue = 4) => new(_backend,
        Options.Create(new ModelServiceOptions { MaxLoadedModels = maxLoaded, QueueCapacity = queue }),
        NullLogger<ModelService>.Instance);

    private static GenerationRequest Request(int k = 2, int tokens = 1) => new() { Prompt = "x", Loops = k, MaxTokens = tokens };

    private string Dir(string name) => Path.Combine(_folder.Root, name);

    [Fact]
    public async Task Keeps_at_most_the_configured_number_of_checkpoints_loaded_dropping_the_least_recently_used()
    {
        using ModelService service = Service(maxLoaded: 2);
        foreach (string name in new[] { "a", "b", "a", "c" })
            await foreach (var _ in service.Generate(Dir(name), Request())) { }

        Assert.Equal([Dir("a"), Dir("c")], service.LoadedCheckpoints);
        Assert.Equal(3, _backend.Loads);
        Assert.Equal(1, _backend.Disposals);
    }

    [Fact]
    public async Task Runs_one_request_at_a_time_per_checkpoint_in_arrival_order()
    {
        using ModelService service = Service();
        _backend.StepDelay = TimeSpan.FromMilliseconds(2);
        var order = new List<int>();
        var runs = Enumerable.Range(0, 3).Select(async i =>
        {
            await foreach (GenerationEvent e in service.Generate(Dir("a"), Request(k: 3, tokens: 2)))
                lock (order) order.Add(i);
        }).ToList();
        await Task.WhenAll(runs);

        // requests do not interleave: each one's events form one contiguous block
        var blocks = order.Where((v, i) => i == 0 || order[i - 1] != v).ToList();
        Assert.Equal(3, blocks.Count);
        Assert.Equal(3 * (2 * 3 + 2 + 1), order.Count);
    }

    [Fact]
    public async Task A_full_queue_throws_busy_before_anything_runs()
    {
        using ModelService service = Service(queue: 1);
        _backend.StepDelay = TimeSpan.FromMilliseconds(20);
        using var cts = new CancellationTokenSource();
        var first = service.Generate(Dir("a"), Request(k: 256, tokens: 4), cancellation: cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await first.MoveNextAsync());
        var second = service.Generate(Dir("a"), Request(), cancellation: cts.Token);

        var busy = Assert.Throws<ModelBusyException>(() => service.Generate(Dir("a"), Request()));

        Assert.Contains("try again", busy.Message);
        await foreach (var _ in service.Generate(Dir("b"), Request())) { } // other checkpoints have their own queue
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { while (await first.MoveNextAsync()) { } });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { await foreach (var _ in second) { } });
    }

    [Fact]
    public async Task Cancelling_stops_the_computation_within_one_refinement_step()
    {
        using ModelService service = Service();
        _backend.StepDelay = TimeSpan.FromMilliseconds(10);
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (GenerationEvent _ in service.Generate(Dir("a"), Request(k: 256, tokens: 50), cancellation: cts.Token))
                if (++seen == 3) await cts.CancelAsync();
        });
        await Task.Delay(100);
        long afterCancel = service.StepsComputed;
        await Task.Delay(200);

        Assert.Equal(afterCancel, service.StepsComputed);
        Assert.InRange(afterCancel, 3, 5);
        var next = new List<GenerationEvent>();
        await foreach (GenerationEvent e in service.Generate(Dir("a"), Request(k: 1, tokens: 1))) next.Add(e);
        Assert.IsType<DoneEvent>(next[^1]);
    }

    [Fact]
    public async Task Shutdown_unloads_every_model_once_whether_the_host_stops_or_disposes_first()
    {
        ModelService service = Service();
        await foreach (var _ in service.Generate(Dir("a"), Request())) { }

        Task stopping = service.StopAsync(CancellationToken.None);
        service.Dispose();
        await stopping;
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(1, _backend.Disposals);
        Assert.Empty(service.LoadedCheckpoints);
    }

    public void Dispose() => _folder.Dispose();
}
