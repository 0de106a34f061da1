namespace Isrm.Tests.Web;

/// <summary>
/// Interventions through the hub (issue 28, point 1): the same request fields the pages send, the same limits and
/// one sentence for each intervention a run cannot make, for text and puzzles.
/// </summary>
public sealed class InterventionHubTests(PuzzleAppFixture fixture) : PuzzleAppClient(fixture)
{
    private async Task<List<JsonElement>> Stream(string method, object request)
    {
        var frames = new List<JsonElement>();
        await foreach (JsonElement f in _hub.StreamAsync<JsonElement>(method, request)) frames.Add(f);
        return frames;
    }

    private static string Kind(JsonElement f) => f.GetProperty("kind").GetString()!;

    private static List<double> Tops(List<JsonElement> frames, int token) => frames
        .Where(f => Kind(f) == "step" && f.GetProperty("tokenIndex").GetInt32() == token)
        .Select(f => f.GetProperty("topTokens")[0].GetProperty("prob").GetDouble()).ToList();

    [Fact]
    public async Task A_generation_changed_after_step_two_of_token_one_keeps_what_came_before_and_a_scale_of_one_changes_nothing()
    {
        var plain = new { prompt = "ab", checkpoint = "tiny", k = 5, maxTokens = 3, temperature = 0, seed = 4 };
        List<JsonElement> original = await Stream("Generate", plain);
        List<JsonElement> one = await Stream("Generate", new { plain.prompt, plain.checkpoint, plain.k, plain.maxTokens, plain.temperature, plain.seed,
            intervention = new { at = 1, step = 2, change = "scale", scale = 1.0 } });
        List<JsonElement> flipped = await Stream("Generate", new { plain.prompt, plain.checkpoint, plain.k, plain.maxTokens, plain.temperature, plain.seed,
            intervention = new { at = 1, step = 2, change = "scale", scale = -1.0 } });

        for (int t = 0; t < 3; t++) Assert.Equal(Tops(original, t), Tops(one, t));
        Assert.Equal(Tops(original, 0), Tops(flipped, 0));
        Assert.Equal(Tops(original, 1).Take(2), Tops(flipped, 1).Take(2));
        Assert.NotEqual(Tops(original, 1).Skip(2), Tops(flipped, 1).Skip(2));
    }

    [Theory]
    [InlineData("""{"at":0,"step":5,"change":"random"}""", "The intervention comes after step 5, but the run ends at step 5 (K = 5): pick a step below 5.")]
    [InlineData("""{"at":3,"step":1,"change":"random"}""", "The intervention is on token #3, but only 3 tokens are asked for (#0–#2).")]
    [InlineData("""{"at":0,"step":1,"change":"blur"}""", "The intervention's change must be random, seed, scale or token.")]
    [InlineData("""{"at":0,"step":1,"change":"scale","scale":0}""", "The scale must be a finite factor between 1/1000 and 1000 in size (negative flips the state); got 0.")]
    [InlineData("""{"at":0,"step":1,"change":"token","token":"abc"}""", "'abc' is 3 tokens for this checkpoint's tokenizer; force one token (for a byte tokenizer, one ASCII character).")]
    public async Task An_intervention_a_generation_cannot_make_is_one_sentence(string intervention, string expected)
    {
        var request = JsonDocument.Parse($$"""{"prompt":"ab","checkpoint":"tiny","k":5,"maxTokens":3,"intervention":{{intervention}}}""").RootElement;
        var refused = await Assert.ThrowsAsync<HubException>(() => Stream("Generate", request));
        Assert.EndsWith(expected, refused.Message);
        Assert.Equal(HubConnectionState.Connected, _hub.State);
    }

    [Fact]
    public async Task A_solve_takes_another_seeds_instance_state_and_refuses_a_forced_token_and_a_step_past_k()
    {
        var plain = new SolveRequest { Checkpoint = "maze-tiny", Size = 4, Seed = 3, K = 8 };
        List<JsonElement> original = await Stream("Solve", plain);
        List<JsonElement> own = await Stream("Solve", new SolveRequest { Checkpoint = "maze-tiny", Size = 4, Seed = 3, K = 8,
            Intervention = new() { Step = 3, Change = Isrm.Model.Refinement.InterventionChange.Seed, Seed = 3 } });
        static IEnumerable<string> Steps(List<JsonElement> frames) =>
            frames.Where(f => Kind(f) == "puzzle-step").Select(f => f.GetProperty("probabilities").GetString()!);
        Assert.Equal(Steps(original), Steps(own));   // the instance of its own seed: the state put back is the state that was there
        List<JsonElement> other = await Stream("Solve", new SolveRequest { Checkpoint = "maze-tiny", Size = 4, Seed = 3, K = 8,
            Intervention = new() { Step = 3, Change = Isrm.Model.Refinement.InterventionChange.Seed, Seed = 11 } });
        Assert.Equal(Steps(original).Take(3), Steps(other).Take(3));
        Assert.Equal(8, Steps(other).Count());

        var token = await Assert.ThrowsAsync<HubException>(() => Stream("Solve", JsonDocument.Parse(
            """{"checkpoint":"maze-tiny","size":4,"k":8,"intervention":{"step":1,"change":"token","token":"a"}}""").RootElement));
        Assert.EndsWith("Forcing a token is for text models: a puzzle's cells have no tokens; choose random, seed or scale.", token.Message);
        var late = await Assert.ThrowsAsync<HubException>(() => Stream("Solve", JsonDocument.Parse(
            """{"checkpoint":"maze-tiny","size":4,"k":"inf","intervention":{"step":64,"change":"random"}}""").RootElement));
        Assert.EndsWith("The intervention comes after step 64, but the run ends at step 64 (K = ∞, capped at 64): pick a step below 64.", late.Message);
    }
}

/// <summary>Path independence through the hub: a solve from several starts streams every run, and the last step how each ended.</summary>
public sealed class PathStartsHubTests(PuzzleAppFixture fixture) : PuzzleAppClient(fixture)
{
    [Fact]
    public async Task Three_starts_stream_three_runs_per_step_and_seventeen_are_one_sentence()
    {
        var frames = new List<JsonElement>();
        await foreach (JsonElement f in _hub.StreamAsync<JsonElement>("Solve", new SolveRequest { Checkpoint = "maze-tiny", Size = 4, Seed = 2, K = 12, Starts = 3, StartSeed = 5 }))
            frames.Add(f);
        var steps = frames.Where(f => f.GetProperty("kind").GetString() == "puzzle-step").ToList();
        Assert.All(steps, s => Assert.Equal(3, s.GetProperty("paths").GetProperty("correct").GetArrayLength()));
        Assert.All(steps, s => Assert.Equal(0, s.GetProperty("paths").GetProperty("distance")[0].GetDouble()));
        JsonElement endings = steps[^1].GetProperty("paths").GetProperty("endings");
        Assert.Equal(3, endings.GetArrayLength());
        Assert.All(endings.EnumerateArray(), e => Assert.Contains(e.GetString(), new[] { "fixed-point", "cycle", "moving" }));

        var refused = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (JsonElement _ in _hub.StreamAsync<JsonElement>("Solve", new SolveRequest { Checkpoint = "maze-tiny", Size = 4, Starts = 17 })) { }
        });
        Assert.EndsWith("starts must be from 1 to 16 (1 = the network's own start only); got 17.", refused.Message);
        var plain = new List<JsonElement>();
        await foreach (JsonElement f in _hub.StreamAsync<JsonElement>("Solve", new SolveRequest { Checkpoint = "maze-tiny", Size = 4, Seed = 2, K = 2 })) plain.Add(f);
        Assert.All(plain.Where(f => f.GetProperty("kind").GetString() == "puzzle-step"), s => Assert.False(s.TryGetProperty("paths", out _)));
    }

    [Fact]
    public async Task A_generation_from_three_starts_streams_every_runs_top_token_and_ends_with_that_token()
    {
        var frames = new List<JsonElement>();
        await foreach (JsonElement f in _hub.StreamAsync<JsonElement>("Generate",
                           new { prompt = "ab", checkpoint = "tiny", k = 10, maxTokens = 5, temperature = 0, starts = new { at = 1, starts = 3, seed = 4 } }))
            frames.Add(f);
        Assert.Equal(2, frames.Count(f => f.GetProperty("kind").GetString() == "token"));
        var steps = frames.Where(f => f.GetProperty("kind").GetString() == "step" && f.GetProperty("tokenIndex").GetInt32() == 1).ToList();
        Assert.Equal(10, steps.Count);
        Assert.All(steps, s => Assert.Equal(3, s.GetProperty("paths").GetProperty("answers").GetArrayLength()));
        Assert.Equal(3, steps[^1].GetProperty("paths").GetProperty("endings").GetArrayLength());
        var refused = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (JsonElement _ in _hub.StreamAsync<JsonElement>("Generate", new { prompt = "ab", checkpoint = "tiny", maxTokens = 2, starts = new { at = 2, starts = 3 } })) { }
        });
        Assert.EndsWith("The starts are for token #2, but only 2 tokens are asked for (#0–#1).", refused.Message);
    }
}
