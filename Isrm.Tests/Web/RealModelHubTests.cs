namespace Isrm.Tests.Web;

/// <summary>The hub over a real port with a real tiny checkpoint: order of frames, K, cancellation, corrupt checkpoints.</summary>
public sealed class RealModelHubTests() : HubHost(TinyCheckpoints.Folder())
{
    [Fact]
    public async Task A_truncated_checkpoint_is_listed_as_unusable_with_its_error_sentence()
    {
        var list = await Hub.InvokeAsync<List<CheckpointListing>>("ListCheckpoints");

        Assert.True(list.Single(c => c.Name == "tiny").Usable);
        Assert.True(list.Single(c => c.Name == "tiny").ParameterCount > 0);
        CheckpointListing truncated = list.Single(c => c.Name == "truncated");
        Assert.False(truncated.Usable);
        Assert.Contains("truncated", truncated.Error);
    }

    [Fact]
    public async Task Frames_arrive_in_order_and_k_3_gives_3_step_events_per_token()
    {
        var frames = new List<JsonElement>();
        await foreach (JsonElement f in Hub.StreamAsync<JsonElement>("Generate",
                           new RefinementRequest { Prompt = "The cat", K = 3, MaxTokens = 4, Seed = 5 }))
            frames.Add(f);

        var expected = new List<string> { "started" };
        for (int t = 0; t < 4; t++) expected.AddRange(["step:" + t + ":1", "step:" + t + ":2", "step:" + t + ":3", "token:" + t]);
        expected.Add("done");
        Assert.Equal(expected, frames.Select(Describe));
        Assert.All(frames.Where(f => f.GetProperty("kind").GetString() == "token"),
            f => Assert.Equal(3, f.GetProperty("stepsUsed").GetInt32()));
        Assert.Equal(4, frames[^1].GetProperty("tokens").GetInt32());
        Assert.Equal(5, frames[1].GetProperty("topTokens").GetArrayLength());
    }

    [Fact]
    public async Task Stopping_the_stream_stops_the_computation_within_one_refinement_step()
    {
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (JsonElement _ in Hub.StreamAsync<JsonElement>("Generate",
                               new RefinementRequest { Prompt = "abc", K = 256, MaxTokens = 64 }, cts.Token))
                if (++seen == 2) await cts.CancelAsync();
        });
        await Task.Delay(300);
        long settled = App.Models.StepsComputed;
        await Task.Delay(300);

        Assert.Equal(settled, App.Models.StepsComputed);
        Assert.True(settled < 256, $"computed {settled} steps after a stop at step 2");
    }

    [Fact]
    public async Task Clients_on_one_checkpoint_are_refined_together_and_each_gets_what_it_gets_alone()
    {
        RefinementRequest[] requests =
        [
            new() { Prompt = "The cat", K = 6, MaxTokens = 8, Seed = 1, Temperature = 0 },
            new() { Prompt = "A dog and", K = 4, MaxTokens = 10, Seed = 2, Temperature = 0.9f },
            new() { Prompt = "x", K = 9, MaxTokens = 6, Seed = 3, Temperature = 0 },
            new() { Prompt = "Once upon a time", K = 5, MaxTokens = 7, Seed = 4, Temperature = 0.5f },
        ];
        var alone = new List<List<JsonElement>>();
        foreach (RefinementRequest r in requests) alone.Add(await Frames(Hub, r));
        (long before, _, _) = App.Models.Batching["tiny"];

        var clients = new List<HubConnection>();
        for (int i = 0; i < requests.Length; i++) clients.Add(await App.ConnectAsync(BaseAddress));
        try
        {
            List<JsonElement>[] together = await Task.WhenAll(requests.Select((r, i) => Frames(clients[i], r)));
            var (batches, rows, widest) = App.Models.Batching["tiny"];
            Assert.True(widest >= 2, "no two clients' steps were refined together");
            Assert.True(batches > before);
            for (int i = 0; i < requests.Length; i++)
            {
                Assert.Equal(alone[i].Select(Describe), together[i].Select(Describe));
                Assert.Equal(Tokens(alone[i]), Tokens(together[i]));
                foreach (var (a, b) in alone[i].Zip(together[i]).Where(p => p.First.GetProperty("kind").GetString() == "step"))
                    Assert.True(Math.Abs(a.GetProperty("confidence").GetSingle() - b.GetProperty("confidence").GetSingle()) <= 1e-4f);
            }
        }
        finally
        {
            foreach (HubConnection c in clients) await c.DisposeAsync();
        }

        static IEnumerable<string> Tokens(List<JsonElement> frames) =>
            frames.Where(f => f.GetProperty("kind").GetString() == "token").Select(f => f.GetProperty("text").GetString()!);
    }

    private static async Task<List<JsonElement>> Frames(HubConnection hub, RefinementRequest request)
    {
        var frames = new List<JsonElement>();
        await foreach (JsonElement f in hub.StreamAsync<JsonElement>("Generate", request)) frames.Add(f);
        return frames;
    }

    [Fact]
    public async Task Include_states_attaches_a_latent_vector_to_every_step()
    {
        var steps = new List<JsonElement>();
        await foreach (JsonElement f in Hub.StreamAsync<JsonElement>("Generate",
                           new RefinementRequest { Prompt = "x", K = 4, MaxTokens = 1, IncludeStates = true }))
            if (f.GetProperty("kind").GetString() == "step") steps.Add(f);

        Assert.Equal(4, steps.Count);
        Assert.All(steps, s => Assert.Equal(48, s.GetProperty("state").GetArrayLength()));
    }

    private static string Describe(JsonElement f) => f.GetProperty("kind").GetString() switch
    {
        "step" => $"step:{f.GetProperty("tokenIndex").GetInt32()}:{f.GetProperty("step").GetInt32()}",
        "token" => $"token:{f.GetProperty("tokenIndex").GetInt32()}",
        var k => k!,
    };
}
