namespace Isrm.Tests.Web;

/// <summary>Stopping a long solve through the hub, and the hub's rate limit on <c>Solve</c>.</summary>
public sealed class PuzzleStopTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempCheckpointsRoot _folder = new();
    private IsrmWebApp _app = null!;
    private Uri _base = null!;

    public Task InitializeAsync()
    {
        TinyPuzzleCheckpoints.Train(_folder.Root, "maze-tiny", MazesTask.Instance, steps: 1);
        var settings = PuzzleAppFixture.Limits(maxK: 1_000_000);
        settings["Isrm:Hub:RequestsPerMinute"] = "3";
        settings["Isrm:Puzzles:MaxMazeSize"] = "63";
        settings["Isrm:Puzzles:QueueCapacity"] = "0";
        settings["Isrm:Model:MaxBatch"] = "1";   // one solve at a time: the second is refused at once
        _app = new IsrmWebApp(_folder.Root, settings: settings);
        _base = _app.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Cancelling_a_million_step_solve_stops_the_model_at_once_and_the_connection_stays_usable()
    {
        await using HubConnection hub = await _app.ConnectAsync(_base);
        var service = _app.Services.GetRequiredService<Isrm.Web.Refinement.RefinementService>();
        using var stop = new CancellationTokenSource();
        int steps = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (JsonElement frame in hub.StreamAsync<JsonElement>("Solve",
                               new SolveRequest { Checkpoint = "maze-tiny", Size = 8, K = 1_000_000 }, stop.Token))
                if (PuzzleHubTests.Kind(frame) == "puzzle-step" && ++steps == 3) stop.Cancel();
        });
        TimeSpan cancelled = clock.Elapsed;
        long atCancel = service.StepsComputed;
        await Task.Delay(500);
        long after = service.StepsComputed;
        await Task.Delay(500);

        output.WriteLine($"stream ended {cancelled.TotalMilliseconds:F0} ms after the request; steps computed: {atCancel} when the stream ended, {after} half a second later");
        Assert.Equal(after, service.StepsComputed);            // the model thread is idle again
        Assert.True(after < 1_000_000, $"{after} steps");
        Assert.True(cancelled < TimeSpan.FromSeconds(20), $"{cancelled}");
        var frames = await PuzzleHubTests.Collect(hub, new SolveRequest { Checkpoint = "maze-tiny", Size = 3, K = 2 });
        Assert.Equal("puzzle-done", PuzzleHubTests.Kind(frames[^1]));
    }

    [Fact]
    public async Task A_59_by_59_maze_streams_k_128_as_thinned_frames_of_one_byte_per_cell()
    {
        await using HubConnection hub = await _app.ConnectAsync(_base);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var frames = await PuzzleHubTests.Collect(hub, new SolveRequest { Checkpoint = "maze-tiny", Size = 59, Seed = 5, K = 128 });

        double seconds = clock.Elapsed.TotalSeconds;
        var steps = frames.Where(f => PuzzleHubTests.Kind(f) == "puzzle-step").ToList();
        int? solvedAt = frames[^1].GetProperty("solvedAt").ValueKind == JsonValueKind.Null ? null : frames[^1].GetProperty("solvedAt").GetInt32();
        int expected = FrameSampler.Count(128, PuzzleAppFixture.Dense) + (solvedAt is int s && !FrameSampler.Keep(s, PuzzleAppFixture.Dense) ? 1 : 0);
        Assert.Equal(expected, steps.Count);
        Assert.All(steps, f => Assert.Equal(119 * 119, f.GetProperty("probabilities").GetBytesFromBase64().Length));
        long wire = frames.Sum(f => (long)f.GetRawText().Length);
        output.WriteLine($"59×59 maze, K = 128: {steps.Count} step frames, {wire:N0} characters of JSON, {seconds:F2} s through the hub " +
                         $"({seconds * 1000 / 128:F1} ms a step with the width-8 test network)");
    }

    [Fact]
    public async Task A_second_solve_while_the_queue_is_full_is_told_the_model_is_busy()
    {
        await using HubConnection first = await _app.ConnectAsync(_base);
        await using HubConnection second = await _app.ConnectAsync(_base);
        using var stop = new CancellationTokenSource();
        await using var running = first.StreamAsync<JsonElement>("Solve", new SolveRequest { Checkpoint = "maze-tiny", Size = 8, K = 1_000_000 }, stop.Token)
            .GetAsyncEnumerator(stop.Token);
        while (await running.MoveNextAsync() && PuzzleHubTests.Kind(running.Current) != "puzzle-step") { }

        var error = await Assert.ThrowsAsync<HubException>(() =>
            PuzzleHubTests.Collect(second, new SolveRequest { Checkpoint = "maze-tiny", Size = 3, K = 1 }));
        stop.Cancel();
        var service = _app.Services.GetRequiredService<Isrm.Web.Refinement.RefinementService>();
        for (int i = 0; i < 100 && service.Pending > 0; i++) await Task.Delay(50);   // the place is freed for the next test
        Assert.Equal(0, service.Pending);

        string message = Isrm.Web.Hubs.WireJson.Sentence(error.Message);
        Assert.Equal("The puzzle model 'maze-tiny' is busy: 1 solve is running or waiting; try again in a moment.", message);
    }

    [Fact]
    public async Task Solve_counts_against_the_hub_rate_limit_with_one_sentence()
    {
        await using HubConnection hub = await _app.ConnectAsync(_base);
        for (int i = 0; i < 3; i++)   // a fresh connection: the 59×59 test used its own
            await PuzzleHubTests.Collect(hub, new SolveRequest { Checkpoint = "maze-tiny", Size = 3, K = 1 });

        var error = await Assert.ThrowsAsync<HubException>(() =>
            PuzzleHubTests.Collect(hub, new SolveRequest { Checkpoint = "maze-tiny", Size = 3, K = 1 }));

        string message = Isrm.Web.Hubs.WireJson.Sentence(error.Message);
        Assert.StartsWith("Too many requests: a connection may make 3 per minute", message);
        PuzzleHubTests.AssertOneSentence(message);
    }
}
