using Isrm.Web.ScaleOut;

namespace Isrm.Tests.Web;

/// <summary>
/// Two app instances (real Kestrel ports, fake backend) and watching a generation: through a real redis-server a
/// watcher on instance 2 gets exactly the frames the caller on instance 1 gets; without Redis it gets nothing.
/// </summary>
public sealed class ScaleOutTests : IAsyncLifetime
{
    /// <summary>Only a guard against a hang; nothing here is timed.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static readonly RefinementRequest Request = new() { Prompt = "hi", K = 3, MaxTokens = 2, IncludeStates = true };

    private readonly TempCheckpointsRoot _folder = new TempCheckpointsRoot().WithFake("tiny");
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly GatedBackend _backend = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _backend.Gate.Set();
        for (int i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        _backend.Gate.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_watcher_on_the_other_instance_gets_exactly_the_callers_frames_through_redis()
    {
        RedisServer redis = Own(await RedisServer.StartAsync());
        (IsrmWebApp app1, Uri base1) = StartApp(redis.Address, _backend);
        (IsrmWebApp app2, Uri base2) = StartApp(redis.Address, new GatedBackend());
        Assert.True(UsesRedis(app1));
        Assert.True(UsesRedis(app2));
        Assert.False(CircuitHubUsesRedis(app1)); // Blazor circuits stay on their instance: no backplane traffic for them
        Caller a = await CallerOnAsync(app1, base1);
        Watcher b = await WatcherOnAsync(app2, base2);
        Watcher local = await WatcherOnAsync(app1, base1);

        (Task<List<string>> callerFrames, string id) = await BeginAsync(a);
        // The group's Redis channel, under the "isrm" prefix, gets one subscriber per instance that has a watcher.
        string numsub = $"PUBSUB NUMSUB {RedisBackplane.ChannelPrefix}{typeof(RefinementHub).FullName}:group:{GenerationBroadcaster.Group(id)}";
        Assert.Equal(":0", await redis.CommandAsync(numsub, line: 4));
        await b.WatchAsync(id);
        Assert.Equal(":1", await redis.CommandAsync(numsub, line: 4));
        await local.WatchAsync(id);
        Assert.Equal(":2", await redis.CommandAsync(numsub, line: 4));
        _backend.Gate.Set();
        List<string> expected = await callerFrames.WaitAsync(Guard);
        await b.Done.Task.WaitAsync(Guard);
        await local.Done.Task.WaitAsync(Guard);

        Assert.Equal(2 * 3 + 2 + 1, expected.Count); // 3 steps + 1 token, twice, then done
        Assert.Equal(expected, b.Frames);
        Assert.Equal(expected, local.Frames);
        Assert.All(b.Ids, frameId => Assert.Equal(id, frameId));
        Assert.Equal(0, ((GatedBackend)app2.Services.GetRequiredService<IGenerationBackend>()).Loads); // instance 2 computed nothing
    }

    [Fact]
    public async Task Without_redis_a_watcher_on_the_other_instance_gets_nothing_and_one_on_the_same_instance_gets_everything()
    {
        var instance1 = StartApp(null, _backend);
        var instance2 = StartApp(null, new GatedBackend());
        Assert.False(UsesRedis(instance1.App));

        await AssertOneWatcherGetsEverythingAndTheOtherNothingAsync(caller: instance1, silent: instance2, heard: instance1);
    }

    [Fact]
    public async Task Unwatch_stops_the_frames()
    {
        var instance = StartApp(null, _backend);

        await AssertOneWatcherGetsEverythingAndTheOtherNothingAsync(caller: instance, silent: instance, heard: instance,
            afterWatching: (left, id) => left.UnwatchAsync(id));
    }

    [Fact]
    public async Task Watchers_see_a_cancelled_generation_end_with_a_cancelled_done_frame()
    {
        _backend.HoldAfterFirstEvent = true;
        (Caller a, Watcher w) = await CallerAndWatcherOnOneInstanceAsync();

        using var cancel = new CancellationTokenSource();
        IAsyncEnumerator<JsonElement> stream = a.Connection.StreamAsync<JsonElement>("Generate",
            new RefinementRequest { Prompt = "hi", K = 256, MaxTokens = 64 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await stream.MoveNextAsync());   // started
        string id = await a.Started.Task.WaitAsync(Guard);
        await w.WatchAsync(id);
        _backend.Gate.Set();
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Guard));
        Assert.Equal("step", stream.Current.GetProperty("kind").GetString());
        await cancel.CancelAsync();
        await stream.DisposeAsync();
        await w.Done.Task.WaitAsync(Guard);

        List<JsonElement> frames = w.Frames.Select(f => JsonDocument.Parse(f).RootElement).ToList();
        Assert.Equal(["step", "done"], frames.Select(f => f.GetProperty("kind").GetString()));
        Assert.Equal("cancelled", frames[1].GetProperty("stopReason").GetString());
    }

    [Fact]
    public async Task Watchers_see_a_failed_generation_end_with_its_error_then_an_error_done_frame()
    {
        _backend.FailLoad = true;
        (Caller a, Watcher w) = await CallerAndWatcherOnOneInstanceAsync();

        (Task<List<string>> callerFrames, string id) = await BeginAsync(a);
        await w.WatchAsync(id);
        _backend.Gate.Set();
        var error = await Assert.ThrowsAsync<HubException>(() => callerFrames.WaitAsync(Guard));
        await w.Done.Task.WaitAsync(Guard);

        Assert.Contains("weights are gone", error.Message);
        List<JsonElement> frames = w.Frames.Select(f => JsonDocument.Parse(f).RootElement).ToList();
        Assert.Equal(["error", "done"], frames.Select(f => f.GetProperty("kind").GetString()));
        Assert.Equal("The weights are gone.", frames[0].GetProperty("message").GetString());
        Assert.Equal("error", frames[1].GetProperty("stopReason").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("../tiny")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcde")]
    public async Task Watch_refuses_what_is_not_a_generation_id(string id)
    {
        (IsrmWebApp app, Uri address) = StartApp(null, _backend);
        HubConnection hub = Own(await app.ConnectAsync(address));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Watch", id));
        Assert.Contains("not a generation id", error.Message);
    }

    private (IsrmWebApp App, Uri Address) StartApp(string? redis, GatedBackend backend)
    {
        var app = new IsrmWebApp(_folder.Root, backend, redis: redis);
        _owned.Add(app);
        return (app, app.Start());
    }

    private async Task<Caller> CallerOnAsync(IsrmWebApp app, Uri address) => await Caller.ConnectAsync(Own(await app.ConnectAsync(address)));

    private async Task<Watcher> WatcherOnAsync(IsrmWebApp app, Uri address) => await Watcher.ConnectAsync(Own(await app.ConnectAsync(address)));

    private async Task<(Caller, Watcher)> CallerAndWatcherOnOneInstanceAsync()
    {
        (IsrmWebApp app, Uri address) = StartApp(null, _backend);
        return (await CallerOnAsync(app, address), await WatcherOnAsync(app, address));
    }

    /// <summary>
    /// The caller starts <see cref="Request"/>, which the backend holds until its gate opens, and learns its id (for
    /// watchers to join); the frames it will get, and the id.
    /// </summary>
    private static async Task<(Task<List<string>> Frames, string Id)> BeginAsync(Caller caller)
    {
        Task<List<string>> frames = caller.GenerateAsync(Request);
        return (frames, await caller.Started.Task.WaitAsync(Guard));
    }

    /// <summary>
    /// A caller on <paramref name="caller"/> generates; watchers on <paramref name="silent"/> and <paramref name="heard"/>
    /// watch it, in that order, then <paramref name="afterWatching"/> runs on the silent one. Once the generation ends,
    /// the heard watcher has exactly the caller's frames, and the silent one none, even after a round trip.
    /// </summary>
    private async Task AssertOneWatcherGetsEverythingAndTheOtherNothingAsync((IsrmWebApp App, Uri Address) caller,
        (IsrmWebApp App, Uri Address) silent, (IsrmWebApp App, Uri Address) heard, Func<Watcher, string, Task>? afterWatching = null)
    {
        Caller a = await CallerOnAsync(caller.App, caller.Address);
        Watcher quiet = await WatcherOnAsync(silent.App, silent.Address);
        Watcher hearing = await WatcherOnAsync(heard.App, heard.Address);

        (Task<List<string>> callerFrames, string id) = await BeginAsync(a);
        await quiet.WatchAsync(id);
        await hearing.WatchAsync(id);
        if (afterWatching is not null) await afterWatching(quiet, id);
        _backend.Gate.Set();
        List<string> expected = await callerFrames.WaitAsync(Guard);
        await hearing.Done.Task.WaitAsync(Guard);
        await quiet.RoundTripAsync();

        Assert.Equal(expected, hearing.Frames);
        Assert.Empty(quiet.Frames);
    }

    private T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private static bool UsesRedis(IsrmWebApp app) =>
        ((IsrmHubLifetimeManager<RefinementHub>)app.Services.GetRequiredService<HubLifetimeManager<RefinementHub>>()).UsesRedis;

    private static bool CircuitHubUsesRedis(IsrmWebApp app)
    {
        Type componentHub = Type.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub, Microsoft.AspNetCore.Components.Server", throwOnError: true)!;
        object manager = app.Services.GetRequiredService(typeof(HubLifetimeManager<>).MakeGenericType(componentHub));
        Assert.Equal(typeof(IsrmHubLifetimeManager<>).MakeGenericType(componentHub), manager.GetType());
        return (bool)manager.GetType().GetProperty(nameof(IsrmHubLifetimeManager<RefinementHub>.UsesRedis))!.GetValue(manager)!;
    }

    /// <summary>A client that generates and learns its generation's id from <c>Started</c>.</summary>
    private sealed class Caller
    {
        public required HubConnection Connection { get; init; }
        public TaskCompletionSource<string> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static Task<Caller> ConnectAsync(HubConnection connection)
        {
            var caller = new Caller { Connection = connection };
            connection.On<string>("Started", id => caller.Started.TrySetResult(id));
            return Task.FromResult(caller);
        }

        /// <summary>The frames after <c>started</c> (which watchers do not get: they joined with its id).</summary>
        public async Task<List<string>> GenerateAsync(RefinementRequest request)
        {
            var frames = new List<string>();
            await foreach (JsonElement frame in Connection.StreamAsync<JsonElement>("Generate", request))
                if (frame.GetProperty("kind").GetString() != "started") frames.Add(frame.GetRawText());
            return frames;
        }
    }

    /// <summary>A client that records the <c>WatchedFrame</c> calls it gets (raw JSON) until a <c>done</c> frame.</summary>
    private sealed class Watcher
    {
        private readonly List<string> _frames = [];
        private readonly List<string> _ids = [];

        public required HubConnection Connection { get; init; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<string> Frames { get { lock (_frames) return [.. _frames]; } }
        public List<string> Ids { get { lock (_frames) return [.. _ids]; } }

        public static Task<Watcher> ConnectAsync(HubConnection connection)
        {
            var watcher = new Watcher { Connection = connection };
            connection.On<string, JsonElement>("WatchedFrame", (id, frame) =>
            {
                lock (watcher._frames)
                {
                    watcher._ids.Add(id);
                    watcher._frames.Add(frame.GetRawText());
                }
                if (frame.GetProperty("kind").GetString() == "done") watcher.Done.TrySetResult();
            });
            return Task.FromResult(watcher);
        }

        public Task WatchAsync(string id) => Connection.InvokeAsync("Watch", id);

        public Task UnwatchAsync(string id) => Connection.InvokeAsync("Unwatch", id);

        /// <summary>A call answered on this connection: any frame the server had sent it before has arrived by then.</summary>
        public Task RoundTripAsync() => Connection.InvokeAsync<List<CheckpointListing>>("ListCheckpoints");
    }

    /// <summary>
    /// The fake backend, held before its first event until <see cref="Gate"/> opens (so watchers can join first) and,
    /// with <see cref="HoldAfterFirstEvent"/>, after it until the request is cancelled.
    /// </summary>
    private sealed class GatedBackend : IGenerationBackend
    {
        private readonly FakeGenerationBackend _inner = new();
        public ManualResetEventSlim Gate { get; } = new();
        public bool FailLoad { get; set; }
        public bool HoldAfterFirstEvent { get; set; }
        public int Loads => _inner.Loads;

        public CheckpointDescription Inspect(string directory) => _inner.Inspect(directory);

        public ILoadedModel Load(string directory)
        {
            if (!FailLoad) return new GatedModel(_inner.Load(directory), this);
            Gate.Wait();
            throw new Isrm.Model.Checkpoints.CheckpointException("The weights are gone.");
        }

        private sealed class GatedModel(ILoadedModel inner, GatedBackend owner) : ILoadedModel
        {
            public StepScheduler Scheduler => inner.Scheduler;

            public IEnumerable<Isrm.Model.Reasoning.PuzzleFrame> Solve(
                Isrm.Model.Reasoning.Puzzle puzzle, Isrm.Model.Reasoning.PuzzleSolveOptions options, CancellationToken cancellation) =>
                inner.Solve(puzzle, options, cancellation);

            public IEnumerable<GenerationEvent> Generate(GenerationRequest request, CancellationToken cancellation)
            {
                owner.Gate.Wait(cancellation);
                bool first = true;
                foreach (GenerationEvent e in inner.Generate(request, cancellation))
                {
                    yield return e;
                    if (first && owner.HoldAfterFirstEvent) cancellation.WaitHandle.WaitOne();
                    first = false;
                }
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
