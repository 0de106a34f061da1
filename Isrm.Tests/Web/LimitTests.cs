namespace Isrm.Tests.Web;

/// <summary>Each limit of appsettings.json, set small in a test host, is hit and answered with its sentence.</summary>
public sealed class LimitTests : IAsyncLifetime
{
    private readonly TempCheckpointsRoot _folder = new TempCheckpointsRoot().WithFake("tiny").WithFake("tiny2");
    private readonly FakeGenerationBackend _backend = new();
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable owned in Enumerable.Reverse(_owned)) await owned.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task MaxPromptTokens_refuses_a_longer_prompt_and_accepts_one_at_the_limit()
    {
        HubConnection hub = await Host(("Isrm:Model:MaxPromptTokens", "10"));

        Assert.Equal("The prompt is too long: 12 bytes of UTF-8 (up to one token each) against a limit of 10 tokens; shorten it.",
            await hub.ErrorOfAsync(new RefinementRequest { Prompt = "hello world!" }));
        Assert.Equal("The prompt is too long: 11 bytes of UTF-8 (up to one token each) against a limit of 10 tokens; shorten it.",
            await hub.ErrorOfAsync(new RefinementRequest { Prompt = "ééééé!" }));
        Assert.Equal("done", (await hub.CollectAsync(new RefinementRequest { Prompt = "0123456789", MaxTokens = 1 }))[^1].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task MaxPromptTokens_also_bounds_the_prompt_boxes_so_a_huge_paste_stays_off_the_circuit()
    {
        (IsrmWebApp _, Uri address) = StartApp(("Isrm:Model:MaxPromptTokens", "10"));
        using var http = new HttpClient { BaseAddress = address };

        string chat = await http.GetStringAsync("/");
        string compare = await http.GetStringAsync("/compare");

        Assert.Matches(@"<textarea data-testid=""prompt""[^>]*maxlength=""10""", chat);
        Assert.Matches(@"<textarea data-testid=""compare-prompt""[^>]*maxlength=""10""", compare);
    }

    [Fact]
    public async Task MaxTokensLimit_and_MaxK_bound_what_a_request_may_ask_for()
    {
        HubConnection hub = await Host(("Isrm:Model:MaxTokensLimit", "4"), ("Isrm:Model:MaxK", "3"));

        Assert.Equal("maxTokens must be from 1 to 4; got 5.", await hub.ErrorOfAsync(new RefinementRequest { Prompt = "hi", K = 1, MaxTokens = 5 }));
        Assert.Equal("k must be an integer from 1 to 3 or \"inf\"; got 4.",
            await hub.ErrorOfAsync(new RefinementRequest { Prompt = "hi", K = 4, MaxTokens = 4 }));
        var frames = await hub.CollectAsync(new RefinementRequest { Prompt = "hi", K = 3, MaxTokens = 4 });
        Assert.Equal(4, frames[^1].GetProperty("tokens").GetInt32());
    }

    [Fact]
    public async Task MaxMessageBytes_closes_only_the_connection_that_sent_a_bigger_message()
    {
        (IsrmWebApp app, Uri address) = StartApp(("Isrm:Hub:MaxMessageBytes", "4096"));
        HubConnection small = await Connect(app, address);
        HubConnection big = await Connect(app, address);
        var closed = new TaskCompletionSource<Exception?>();
        big.Closed += error => { closed.TrySetResult(error); return Task.CompletedTask; };

        await Assert.ThrowsAnyAsync<Exception>(() => big.CollectAsync(new RefinementRequest { Prompt = new string('a', 5000) }));

        Exception? error = await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(error);
        Assert.Equal("The server closed the connection with the following error: Connection closed with an error.", error.Message);
        Assert.Equal(HubConnectionState.Connected, small.State);
        var frames = await small.CollectAsync(new RefinementRequest { Prompt = new string('a', 3000), MaxTokens = 1 });
        Assert.Equal("done", frames[^1].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task RequestsPerMinute_refuses_the_next_call_of_that_connection_only()
    {
        (IsrmWebApp app, Uri address) = StartApp(("Isrm:Hub:RequestsPerMinute", "3"));
        HubConnection first = await Connect(app, address);
        HubConnection second = await Connect(app, address);

        for (int i = 0; i < 2; i++) await first.InvokeAsync<List<CheckpointListing>>("ListCheckpoints");
        await first.CollectAsync(new RefinementRequest { Prompt = "hi", MaxTokens = 1 });
        string message = await first.ErrorOfAsync(new RefinementRequest { Prompt = "hi", MaxTokens = 1 });
        var listError = await Assert.ThrowsAsync<HubException>(() => first.InvokeAsync<List<CheckpointListing>>("ListCheckpoints"));

        Assert.Matches(@"^Too many requests: a connection may make 3 per minute; try again in \d+ s\.$", message);
        Assert.Contains("Too many requests", listError.Message);
        Assert.Equal(2, (await second.InvokeAsync<List<CheckpointListing>>("ListCheckpoints")).Count);
    }

    [Fact]
    public async Task MaxConcurrentGenerations_answers_busy_across_checkpoints_at_once_and_frees_the_place_afterwards()
    {
        HubConnection hub = await Host(("Isrm:Model:MaxConcurrentGenerations", "1"));
        _backend.StepDelay = TimeSpan.FromMilliseconds(20);
        using var cts = new CancellationTokenSource();
        var running = hub.StreamAsync<JsonElement>("Generate",
            new RefinementRequest { Prompt = "hi", Checkpoint = "tiny", K = 256, MaxTokens = 8 }, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await running.MoveNextAsync());

        string message = await hub.ErrorOfAsync(new RefinementRequest { Prompt = "hi", Checkpoint = "tiny2", MaxTokens = 1 });

        Assert.Equal("The server is busy: it runs or queues at most 1 generations at once, over all checkpoints; try again in a moment.", message);
        await cts.CancelAsync();
        await running.DisposeAsync();
        _backend.StepDelay = TimeSpan.Zero;
        // The cancelled run gives its place back when its stream ends on the server, shortly after the client stops.
        string? last = null;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                var frames = await hub.CollectAsync(new RefinementRequest { Prompt = "hi", Checkpoint = "tiny2", MaxTokens = 1 });
                Assert.Equal("done", frames[^1].GetProperty("kind").GetString());
                return;
            }
            catch (HubException e) when (e.Message.Contains("busy", StringComparison.Ordinal))
            {
                last = e.Message;
                await Task.Delay(50);
            }
        }
        Assert.Fail($"The place of the cancelled generation was never freed: {last}");
    }

    [Theory]
    [InlineData("Model", "MaxPromptTokens")]
    [InlineData("Model", "MaxTokensLimit")]
    [InlineData("Model", "MaxK")]
    [InlineData("Model", "QueueCapacity")]
    [InlineData("Model", "MaxBatch")]
    [InlineData("Model", "MaxConcurrentGenerations")]
    [InlineData("Hub", "RequestsPerMinute")]
    [InlineData("Hub", "MaxMessageBytes")]
    public void Each_limit_is_in_appsettings_and_in_the_manual_table_with_its_default(string section, string key)
    {
        using JsonDocument settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "Isrm.Web", "appsettings.json")));
        string value = settings.RootElement.GetProperty("Isrm").GetProperty(section).GetProperty(key).GetRawText();
        string manual = File.ReadAllText(Path.Combine(Repository.Root, "docs", "web.md"));
        string limits = manual[manual.IndexOf("## Limits", StringComparison.Ordinal)..];

        Assert.Contains($"| `Isrm:{section}:{key}` | {value} |", limits);
    }

    private (IsrmWebApp App, Uri Address) StartApp(params (string Key, string Value)[] settings)
    {
        var app = new IsrmWebApp(_folder.Root, _backend, settings: settings.ToDictionary(s => s.Key, s => s.Value));
        _owned.Add(app);
        return (app, app.Start());
    }

    private async Task<HubConnection> Connect(IsrmWebApp app, Uri address)
    {
        HubConnection hub = await app.ConnectAsync(address);
        _owned.Add(hub);
        return hub;
    }

    private async Task<HubConnection> Host(params (string Key, string Value)[] settings)
    {
        (IsrmWebApp app, Uri address) = StartApp(settings);
        return await Connect(app, address);
    }
}
