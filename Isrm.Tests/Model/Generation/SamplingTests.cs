namespace Isrm.Tests.Model.Generation;

/// <summary>Sampling is seeded and honours greedy, temperature, top-k and top-p; unusable settings are refused.</summary>
public class SamplingTests
{
    // ln of (0.5, 0.25, 0.15, 0.07, 0.03): a fixed distribution whose order is known.
    private static readonly float[] LogProbs = new[] { 0.5, 0.25, 0.15, 0.07, 0.03 }.Select(p => (float)Math.Log(p)).ToArray();

    private static int[] Draws(Sampler sampler, int count) => Enumerable.Range(0, count).Select(_ => sampler.Next(LogProbs)).ToArray();

    private static string Text(LoadedCheckpoint checkpoint, ulong seed, float temperature = 1f, int topK = 0, float topP = 1f) =>
        string.Concat(Generator.Generate(checkpoint, new GenerationRequest
        {
            Prompt = "The ", K = 2, MaxTokens = 12, Temperature = temperature, TopK = topK, TopP = topP, Seed = seed,
        }).OfType<TokenEvent>().Select(t => t.TokenId.ToString("x2")));

    [Fact]
    public void The_same_seed_gives_the_same_text_and_another_seed_another()
    {
        using LoadedCheckpoint checkpoint = TinyModels.Loaded();
        string first = Text(checkpoint, seed: 42), again = Text(checkpoint, seed: 42), other = Text(checkpoint, seed: 43);
        Assert.Equal(24, first.Length);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Greedy_always_takes_the_most_probable_token_whatever_the_seed()
    {
        foreach (ulong seed in new ulong[] { 1, 2, 99 })
            Assert.All(Draws(new Sampler(0f, 0, 1f, seed), 50), id => Assert.Equal(0, id));
        using LoadedCheckpoint checkpoint = TinyModels.Loaded();
        Assert.Equal(Text(checkpoint, seed: 1, temperature: 0), Text(checkpoint, seed: 2, temperature: 0));
    }

    [Fact]
    public void Top_k_of_one_equals_greedy()
    {
        Assert.All(Draws(new Sampler(1.5f, 1, 1f, 5), 200), id => Assert.Equal(0, id));
        using LoadedCheckpoint checkpoint = TinyModels.Loaded();
        Assert.Equal(Text(checkpoint, seed: 1, temperature: 0), Text(checkpoint, seed: 8, temperature: 2f, topK: 1));
    }

    [Fact]
    public void Top_k_draws_only_from_the_k_most_probable()
    {
        int[] draws = Draws(new Sampler(1f, 3, 1f, 5), 3000);
        Assert.All(draws, id => Assert.InRange(id, 0, 2));
        Assert.Equal(3, draws.Distinct().Count());
    }

    [Fact]
    public void Top_p_draws_only_from_the_smallest_prefix_reaching_p()
    {
        // 0.5 + 0.25 = 0.75 < 0.8 ≤ 0.9: the nucleus is the first three tokens.
        int[] draws = Draws(new Sampler(1f, 0, 0.8f, 5), 3000);
        Assert.All(draws, id => Assert.InRange(id, 0, 2));
        Assert.Equal(3, draws.Distinct().Count());
        Assert.All(Draws(new Sampler(1f, 0, 0.01f, 5), 200), id => Assert.Equal(0, id));
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(2f)]
    [InlineData(0.5f)]
    public void Draw_frequencies_follow_the_temperature_scaled_distribution(float temperature)
    {
        const int n = 20000;
        int[] draws = Draws(new Sampler(temperature, 0, 1f, 17), n);
        double[] scaled = LogProbs.Select(lp => Math.Exp(lp / temperature)).ToArray();
        double total = scaled.Sum();
        for (int id = 0; id < LogProbs.Length; id++)
        {
            double expected = scaled[id] / total, observed = draws.Count(d => d == id) / (double)n;
            Assert.True(Math.Abs(expected - observed) < 0.015, $"T={temperature} token {id}: expected {expected:F3}, drew {observed:F3}");
        }
    }

    [Theory]
    [InlineData(float.NaN, 0, 1f, "temperature")]
    [InlineData(-0.1f, 0, 1f, "temperature")]
    [InlineData(1f, -1, 1f, "top-k")]
    [InlineData(1f, 0, 0f, "top-p")]
    [InlineData(1f, 0, 1.5f, "top-p")]
    [InlineData(1f, 0, float.NaN, "top-p")]
    public void Unusable_settings_are_refused_with_one_sentence(float temperature, int topK, float topP, string names)
    {
        var error = Assert.Throws<ArgumentException>(() => Sampler.Validate(temperature, topK, topP));
        Assert.Contains(names, error.Message);
        var request = new GenerationRequest { Prompt = "a", Temperature = temperature, TopK = topK, TopP = topP };
        Assert.Contains(names, Assert.Throws<ArgumentException>(() => Generator.Validate(request, 64)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(300)]
    public void An_unusable_refinement_depth_is_refused(int loops)
    {
        var request = new GenerationRequest { Prompt = "a", K = ((RefinementDepth)loops).Capped(256)};
        var error = Assert.Throws<ArgumentException>(() => Generator.Validate(request, 64));
        Assert.Contains("K", error.Message);
    }

    [Fact]
    public void An_empty_prompt_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Generator.Validate(new GenerationRequest { Prompt = "" }, 64));
        Assert.Contains("prompt", error.Message);
    }
}
