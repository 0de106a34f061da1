using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Isrm.Tests.Web;

/// <summary>
/// The in-process refinement service: one worker per checkpoint, queues and true positions, model slots,
/// cancellation, errors as frames, shutdown.
/// </summary>
public sealed class RefinementServiceTests : IDisposable
{
    private readonly TempCheckpointsRoot _folder = new TempCheckpointsRoot().WithFake("a").WithFake("b").WithFake("c").WithUnloadable("bad");
    private readonly FakeGenerationBackend _backend = new();

    /// <summary>The service over the fake backend; <paramref name="stepDelayMs"/> slows each step so that requests overlap.</summary>
    private RefinementService Service(int maxLoaded = 2, int queue = 4, int total = 8, int batch = 1, int stepDelayMs = 0)
    {
        _backend.StepDelay = TimeSpan.FromMilliseconds(stepDelayMs);
        var catalog = new CheckpointCatalog(_backend,
            MsOptions.Create(new CheckpointOptions { CheckpointsPath = _folder.Root, DefaultCheckpoint = "a" }),
            new HostingEnvironment { ContentRootPath = _folder.Root });
        return new RefinementService(_backend, catalog,
            MsOptions.Create(new ModelServiceOptions { MaxLoadedModels = maxLoaded, QueueCapacity = queue, MaxConcurrentGenerations = total, MaxBatch = batch }),
            MsOptions.Create(new PuzzleOptions()), NullLogger<RefinementService>.Instance);
    }

    private static RefinementRequest Request(string checkpoint, int k = 2, int tokens = 1) =>
        new() { Prompt = "x", Checkpoint = checkpoint, K = k, MaxTokens = tokens, Temperature = 0 };

    /// <summary>How many runs of equal neighbours <paramref name="order"/> has: 1 if one request's frames came all together.</summary>
    private static int Blocks<T>(List<T> order) => order.Where((v, i) => i == 0 || !Equals(order[i - 1], v)).Count();

    private string Dir(string name) => Path.Combine(_folder.Root, name);

    private static async Task<List<RefinementFrame>> All(IAsyncEnumerable<RefinementFrame> frames)
    {
        var all = new List<RefinementFrame>();
        await foreach (RefinementFrame f in frames) all.Add(f);
        return all;
    }

    [Fact]
    public async Task A_generation_streams_started_then_steps_and_tokens_then_done()
    {
        using RefinementService service = Service();

        List<RefinementFrame> frames = await All(service.Generate(Request("b", k: 2, tokens: 1)));

        Assert.Equal([typeof(StartedFrame), typeof(StepFrame), typeof(StepFrame), typeof(TokenFrame), typeof(DoneFrame)], frames.Select(f => f.GetType()));
        var started = (StartedFrame)frames[0];
        Assert.Equal("b", started.Checkpoint);
        Assert.Matches("^[0-9a-f]{32}$", started.GenerationId);
        Assert.Equal(StopReason.MaxTokens, ((DoneFrame)frames[^1]).StopReason);
    }

    [Fact]
    public async Task Refusals_are_one_error_frame_with_the_sentence_and_nothing_runs()
    {
        using RefinementService service = Service();

        List<RefinementFrame> empty = await All(service.Generate(new RefinementRequest { Prompt = " " }));
        List<RefinementFrame> badK = await All(service.Generate(Request("a", k: 0)));
        List<RefinementFrame> unknown = await All(service.Generate(Request("nope")));

        Assert.Equal("The prompt is empty: type some text to continue.", Assert.IsType<ErrorFrame>(Assert.Single(empty)).Message);
        Assert.Equal("k must be an integer from 1 to 256 or \"inf\"; got 0.", Assert.IsType<ErrorFrame>(Assert.Single(badK)).Message);
        Assert.StartsWith("Unknown checkpoint 'nope': choose one of a, b, bad, c", Assert.IsType<ErrorFrame>(Assert.Single(unknown)).Message);
        Assert.Equal(0, _backend.Loads);
    }

    [Fact]
    public async Task Keeps_at_most_the_configured_number_of_checkpoints_loaded_dropping_the_least_recently_used()
    {
        using RefinementService service = Service(maxLoaded: 2);
        foreach (string name in new[] { "a", "b", "a", "c" })
            await All(service.Generate(Request(name)));

        Assert.Equal([Dir("a"), Dir("c")], service.LoadedCheckpoints);
        Assert.Equal(3, _backend.Loads);
        Assert.Equal(1, _backend.Disposals);
    }

    [Fact]
    public async Task Runs_one_request_at_a_time_per_checkpoint_in_arrival_order()
    {
        using RefinementService service = Service(stepDelayMs: 2);
        var order = new List<int>();
        var runs = Enumerable.Range(0, 3).Select(async i =>
        {
            await foreach (RefinementFrame f in service.Generate(Request("a", k: 3, tokens: 2)))
                if (f is StepFrame or TokenFrame or DoneFrame) lock (order) order.Add(i);
        }).ToList();
        await Task.WhenAll(runs);

        // requests do not interleave: each one's frames form one contiguous block
        Assert.Equal(3, Blocks(order));
        Assert.Equal(3 * (2 * 3 + 2 + 1), order.Count);
    }

    [Fact]
    public async Task Up_to_MaxBatch_requests_on_one_checkpoint_run_together_and_the_next_waits_for_a_place()
    {
        using RefinementService service = Service(batch: 2, stepDelayMs: 5);
        var order = new List<int>();
        Task<List<RefinementFrame>>[] runs = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            var frames = new List<RefinementFrame>();
            await foreach (RefinementFrame f in service.Generate(Request("a", k: 6, tokens: 3)))
            {
                frames.Add(f);
                if (f is StepFrame) lock (order) order.Add(i);
            }
            return frames;
        })).ToArray();
        List<RefinementFrame>[] all = await Task.WhenAll(runs);

        // two ran at once, advanced in turn on the checkpoint's one thread (their steps interleave); the third waited, one
        // place ahead of it, then joined the runs on that thread
        Assert.All(all, frames => Assert.IsType<DoneFrame>(frames[^1]));
        Assert.Equal([[1]], all.Select(f => f.OfType<QueuedFrame>().Select(q => q.Ahead).ToArray()).Where(a => a.Length > 0));
        int blocks = Blocks(order);
        Assert.True(blocks > 3, $"the requests did not interleave ({blocks} blocks of steps)");
        Assert.Single(_backend.GenerationThreads.Distinct());   // the checkpoint's thread runs them all
        Assert.Equal(1, _backend.Loads);
    }

    [Fact]
    public async Task Two_checkpoints_refine_at_the_same_time_each_on_its_own_thread()
    {
        using RefinementService service = Service(stepDelayMs: 5);
        var seen = new List<string>();
        async Task Run(string name)
        {
            await foreach (RefinementFrame f in service.Generate(Request(name, k: 10, tokens: 2)))
                if (f is StepFrame) lock (seen) seen.Add(name);
        }

        await Task.WhenAll(Run("a"), Run("b"));

        // both streams advanced while the other was still running: the order switches sides many times
        int switches = Blocks(seen) - 1;
        Assert.True(switches >= 4, $"the two checkpoints ran one after the other: {string.Join("", seen.Select(s => s[0]))}");
        Assert.Equal(2, _backend.GenerationThreads.Distinct().Count());
    }

    [Fact]
    public async Task A_waiting_request_is_told_its_true_position_each_time_it_moves_up()
    {
        using RefinementService service = Service(stepDelayMs: 20);
        using var stop = new CancellationTokenSource();
        await using var first = service.Generate(Request("a", k: 256, tokens: 4), stop.Token).GetAsyncEnumerator();
        while (await first.MoveNextAsync() && first.Current is not StepFrame) { }
        Task<List<RefinementFrame>> second = All(service.Generate(Request("a", k: 1)));
        await Task.Delay(50);
        Task<List<RefinementFrame>> third = All(service.Generate(Request("a", k: 1)));
        List<RefinementFrame> other = await All(service.Generate(Request("b", k: 1)));   // another checkpoint does not wait

        await Task.Delay(100);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { while (await first.MoveNextAsync()) { } });

        Assert.DoesNotContain(other, f => f is QueuedFrame);
        Assert.Equal([1], (await second).OfType<QueuedFrame>().Select(q => q.Ahead));
        Assert.Equal([2, 1], (await third).OfType<QueuedFrame>().Select(q => q.Ahead));
        Assert.IsType<DoneFrame>((await third)[^1]);
    }

    [Fact]
    public async Task A_request_for_another_checkpoint_waits_for_a_model_slot_and_is_told()
    {
        using RefinementService service = Service(maxLoaded: 1, stepDelayMs: 5);
        // long enough (about 1 s) to be still running when a loaded suite gets round to the next line
        Task<List<RefinementFrame>> first = All(service.Generate(Request("a", k: 100, tokens: 2)));
        while (service.LoadedCheckpoints.Count == 0) await Task.Delay(5);

        List<RefinementFrame> second = await All(service.Generate(Request("b", k: 1)));

        Assert.Equal([1], second.OfType<QueuedFrame>().Select(q => q.Ahead));
        Assert.IsType<DoneFrame>(second[^1]);
        Assert.IsType<DoneFrame>((await first)[^1]);
        Assert.Equal(1, _backend.MostLoaded);   // b loaded only once a had given its slot up
        Assert.Equal([Dir("b")], service.LoadedCheckpoints);
    }

    [Fact]
    public async Task A_full_queue_answers_busy_at_once_and_other_checkpoints_have_their_own_queue()
    {
        using RefinementService service = Service(queue: 1, stepDelayMs: 20);
        using var cts = new CancellationTokenSource();
        await using var first = service.Generate(Request("a", k: 256, tokens: 4), cts.Token).GetAsyncEnumerator();
        while (await first.MoveNextAsync() && first.Current is not StepFrame) { }
        await using var second = service.Generate(Request("a"), cts.Token).GetAsyncEnumerator();
        Assert.True(await second.MoveNextAsync());   // accepted: started

        List<RefinementFrame> busy = await All(service.Generate(Request("a")));

        Assert.Equal("The model is busy: 2 requests for 'a' are running or queued; try again in a moment.",
            Assert.IsType<ErrorFrame>(Assert.Single(busy)).Message);
        Assert.IsType<DoneFrame>((await All(service.Generate(Request("b"))))[^1]);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Cancelling_stops_the_computation_within_one_refinement_step()
    {
        using RefinementService service = Service(stepDelayMs: 10);
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (RefinementFrame f in service.Generate(Request("a", k: 256, tokens: 50), cts.Token))
                if (f is StepFrame && ++seen == 3) await cts.CancelAsync();
        });
        await Task.Delay(100);
        long afterCancel = service.StepsComputed;
        await Task.Delay(200);

        Assert.Equal(afterCancel, service.StepsComputed);
        Assert.InRange(afterCancel, 3, 5);
        Assert.IsType<DoneFrame>((await All(service.Generate(Request("a", k: 1))))[^1]);
    }

    [Fact]
    public async Task A_checkpoint_that_fails_to_load_answers_with_its_sentence_and_is_tried_again_next_time()
    {
        using RefinementService service = Service();

        List<RefinementFrame> first = await All(service.Generate(Request("bad")));
        List<RefinementFrame> again = await All(service.Generate(Request("bad")));

        Assert.EndsWith("cannot be loaded: its weights are corrupt.", Assert.IsType<ErrorFrame>(first[^1]).Message);
        Assert.IsType<ErrorFrame>(again[^1]);
        Assert.Equal(2, _backend.Loads);
        Assert.IsType<DoneFrame>((await All(service.Generate(Request("a"))))[^1]);
    }

    [Fact]
    public async Task Shutdown_unloads_every_model_once_whether_the_host_stops_or_disposes_first()
    {
        RefinementService service = Service();
        await All(service.Generate(Request("a")));
        await All(service.Generate(Request("b")));

        Task stopping = service.StopAsync(CancellationToken.None);
        service.Dispose();
        await stopping;
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(2, _backend.Disposals);
        Assert.Empty(service.LoadedCheckpoints);
    }

    public void Dispose() => _folder.Dispose();
}
