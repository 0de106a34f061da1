namespace Isrm.Tests.Web;

/// <summary>The hub's contract over a real port and a real SignalR client: listing, validation, busy answers.</summary>
public sealed class RefinementHubContractTests() : HubHost(new TempCheckpointsRoot().WithFake("tiny").WithFake("tiny2").WithBroken())
{
    private readonly FakeGenerationBackend _backend = new();

    protected override IsrmWebApp CreateApp() => new(Folder.Root, _backend, queueCapacity: 0, maxBatch: 1);

    [Fact]
    public async Task ListCheckpoints_lists_usable_ones_and_corrupt_ones_with_their_error()
    {
        var list = await Hub.InvokeAsync<List<CheckpointListing>>("ListCheckpoints");

        Assert.Equal(["not-a-checkpoint", "tiny", "tiny2", "truncated"], list.Select(c => c.Name));
        CheckpointListing tiny = list.Single(c => c.Name == "tiny");
        Assert.True(tiny.Usable);
        Assert.Equal(1234, tiny.ParameterCount);
        CheckpointListing truncated = list.Single(c => c.Name == "truncated");
        Assert.False(truncated.Usable);
        Assert.Contains("truncated", truncated.Error);
    }

    [Fact]
    public async Task Frames_carry_a_kind_field_and_camel_case_names_on_the_wire()
    {
        var frames = await Hub.CollectAsync(new RefinementRequest { Prompt = "hi", K = 2, MaxTokens = 1 });

        Assert.Equal(["started", "step", "step", "token", "done"], frames.Select(f => f.GetProperty("kind").GetString()));
        Assert.Matches("^[0-9a-f]{32}$", frames[0].GetProperty("generationId").GetString());
        Assert.Equal("tiny", frames[0].GetProperty("checkpoint").GetString());
        frames.RemoveAt(0);
        JsonElement step = frames[0];
        Assert.Equal(0, step.GetProperty("tokenIndex").GetInt32());
        Assert.Equal(1, step.GetProperty("step").GetInt32());
        Assert.Equal("a", step.GetProperty("topTokens")[0].GetProperty("token").GetString());
        Assert.Equal(JsonValueKind.Null, step.GetProperty("klToPrevious").ValueKind);
        foreach (string field in new[] { "confidence", "entropy", "delta", "residual", "alpha", "haltProbability", "elapsedMs" })
            Assert.Equal(JsonValueKind.Number, step.GetProperty(field).ValueKind);
        Assert.Equal(2, frames[2].GetProperty("stepsUsed").GetInt32());
        Assert.Equal(1, frames[3].GetProperty("tokens").GetInt32());
    }

    [Fact]
    public async Task K_given_as_the_string_inf_is_accepted()
    {
        var frames = await Hub.CollectAsync(new RefinementRequest { Prompt = "hi", K = RefinementDepth.Infinite, MaxTokens = 1 });

        Assert.Equal("done", frames[^1].GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("", "8", "1", "0.8", "The prompt is empty")]
    [InlineData("   ", "8", "1", "0.8", "The prompt is empty")]
    [InlineData("hi", "0", "1", "0.8", "k must be an integer from 1 to 256")]
    [InlineData("hi", "300", "1", "0.8", "k must be an integer from 1 to 256")]
    [InlineData("hi", "lots", "1", "0.8", "got 'lots'")]
    [InlineData("hi", "8", "0", "0.8", "maxTokens must be from 1")]
    [InlineData("hi", "8", "1", "-1", "temperature must be a finite number")]
    [InlineData("hi", "8", "1", "NaN", "temperature must be a finite number")]
    public async Task Invalid_requests_fail_with_a_message_saying_what_is_wrong(
        string prompt, string k, string maxTokens, string temperature, string expected)
    {
        var request = new RefinementRequest
        {
            Prompt = prompt,
            K = int.TryParse(k, out int n) ? n : RefinementDepth.NotADepth(k),
            MaxTokens = int.Parse(maxTokens, System.Globalization.CultureInfo.InvariantCulture),
            Temperature = double.Parse(temperature, System.Globalization.CultureInfo.InvariantCulture),
        };

        var error = await Assert.ThrowsAsync<HubException>(() => Hub.CollectAsync(request));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(-0.2)]
    public async Task TopP_outside_zero_to_one_is_refused(double topP)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => Hub.CollectAsync(new RefinementRequest { Prompt = "hi", TopP = topP }));
        Assert.Contains("topP must be in (0, 1]", error.Message);
    }

    // Names that reach outside the folder are HostileHubInputTests' (with links and one-sentence checks); here, names inside it.
    [Theory]
    [InlineData("nope", "Unknown checkpoint 'nope': choose one of tiny, tiny2")]
    [InlineData("truncated", "Checkpoint 'truncated' cannot be used")]
    public async Task Unknown_and_unusable_checkpoints_are_refused_by_name_without_loading(string name, string expected)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => Hub.CollectAsync(new RefinementRequest { Prompt = "hi", Checkpoint = name }));
        Assert.Contains(expected, error.Message);
        Assert.Equal(0, _backend.Loads);
    }

    [Fact]
    public async Task A_full_queue_answers_busy_at_once()
    {
        _backend.StepDelay = TimeSpan.FromMilliseconds(20);
        using var cts = new CancellationTokenSource();
        var running = Hub.StreamAsync<JsonElement>("Generate",
            new RefinementRequest { Prompt = "hi", K = 256, MaxTokens = 8 }, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await running.MoveNextAsync());

        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<HubException>(() => Hub.CollectAsync(new RefinementRequest { Prompt = "again" }));

        Assert.Contains("busy", error.Message);
        Assert.Contains("try again", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "the busy answer must not wait for the running request");
        Assert.Equal("The model is busy", WireJson.Sentence(error.Message)[..17]);
        await cts.CancelAsync();
        await running.DisposeAsync();
    }
}
