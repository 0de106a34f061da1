namespace Isrm.Tests.Model.Generation;

/// <summary>
/// The lean decode path (joined matrices, rotary once, grouped attention against the cache in place, read-outs only
/// when asked) computes what the plain path computes, and a seeded random start makes a request reproducible.
/// </summary>
public class LeanDecodeTests(ITestOutputHelper output)
{
    private static readonly long[] Ids = Enumerable.Range(0, 12).Select(i => (long)((i * 37 + 11) % 256)).ToArray();

    private static IsrmConfig RandomStart => TinyModels.Config() with { InitialState = InitialStateKind.Random, InitStateStd = 1f, StepEmbedding = StepEmbeddingKind.None };

    [Fact]
    public void Joined_weights_give_the_same_logits_as_the_separate_matrices()
    {
        using var model = TinyModels.Create(TinyModels.Config());
        using var inference = TinyModels.Inference();
        var options = new RefinementOptions { K = 4, EveryStepLogits = false };
        Tensor separate = CacheAgreement.FinalLogits(model, Refiner.Run(model, model.Embed(tensor(Ids, new long[] { 1, 12 })), options));
        model.JoinForInference();
        Tensor joined = CacheAgreement.FinalLogits(model, Refiner.Run(model, model.Embed(tensor(Ids, new long[] { 1, 12 })), options));

        float difference = (joined - separate).abs().max().item<float>();
        output.WriteLine($"max |joined − separate| = {difference:E2}");
        Assert.True(difference <= 1e-5f, $"max abs diff {difference}");
    }

    [Fact]
    public void Training_after_joining_reads_the_live_parameters_not_the_joined_copy()
    {
        using var model = TinyModels.Create(TinyModels.Config());
        model.JoinForInference();
        model.train();
        using var scope = NewDisposeScope();
        Tensor loss = CacheAgreement.FinalLogits(model, Refiner.Run(model, model.Embed(tensor(Ids, new long[] { 1, 12 })), new RefinementOptions { K = 2 })).square().mean();
        loss.backward();

        var grads = model.named_parameters().Where(p => p.name.Contains("wk") || p.name.Contains(".up.")).ToArray();
        Assert.NotEmpty(grads);
        Assert.All(grads, p => Assert.True(p.parameter.grad is not null && p.parameter.grad.abs().sum().item<float>() > 0, $"{p.name} got no gradient"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void A_seeded_random_start_gives_cached_logits_equal_to_a_full_recompute(int k)
    {
        float difference = TinyModels.LeanCacheDifference(RandomStart, Ids, prefix: 5, k, seed: 42, CacheAgreement.FinalLogits);
        output.WriteLine($"K={k}: max |cached − full| = {difference:E2}");
        Assert.True(difference <= 1e-4f, $"max abs diff {difference}");
    }

    [Fact]
    public void The_seeded_start_of_a_position_does_not_depend_on_how_the_sequence_was_split()
    {
        float[] whole = SeededStart.Draw(9, 0, 6, 8, 1f), tail = SeededStart.Draw(9, 4, 2, 8, 1f), other = SeededStart.Draw(10, 0, 6, 8, 1f);
        Assert.Equal(whole[(4 * 16)..], tail);
        Assert.NotEqual(whole, other);
        Assert.InRange(whole.Select(v => (double)v * v).Average(), 0.4, 2.0);   // N(0, 1), roughly
    }

    [Theory]
    [InlineData(4)]
    [InlineData(null)]
    public void Generation_without_per_step_read_outs_gives_the_same_tokens(int? k)
    {
        using var checkpoint = TinyModels.Loaded(RandomStart);
        checkpoint.Model.JoinForInference();
        var request = new GenerationRequest { Prompt = "The cat", K = ((RefinementDepth)k).Capped(16), KlTolerance = 1e-2f, MaxTokens = 8, Temperature = 0.9f, Seed = 3 };

        GenerationEvent[] traced = Generator.Generate(checkpoint, request).ToArray();
        GenerationEvent[] untraced = Generator.Generate(checkpoint, request with { TraceSteps = false }).ToArray();

        Assert.Equal(Tokens(traced), Tokens(untraced));
        Assert.Equal(traced.OfType<TokenEvent>().Select(t => t.StepsUsed), untraced.OfType<TokenEvent>().Select(t => t.StepsUsed));
        Assert.NotEmpty(traced.OfType<StepEvent>());
        Assert.Empty(untraced.OfType<StepEvent>());
    }

    [Fact]
    public void The_same_request_with_a_random_start_gives_the_same_events_twice_and_another_seed_differs()
    {
        using var checkpoint = TinyModels.Loaded(RandomStart);
        var request = new GenerationRequest { Prompt = "abc", K = 3, MaxTokens = 6, Temperature = 1f, Seed = 17, ReportTopTokens = 3 };

        string[] first = Generator.Generate(checkpoint, request).Select(Describe).ToArray();
        string[] second = Generator.Generate(checkpoint, request).Select(Describe).ToArray();
        string[] otherSeed = Generator.Generate(checkpoint, request with { Seed = 18 }).Select(Describe).ToArray();

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void A_cached_decode_step_creates_few_tensors()
    {
        using var model = TinyModels.Create(RandomStart with { InputInjection = InjectionKind.ConcatProject, StateNorm = true, AlphaSchedule = AlphaScheduleKind.Constant });
        model.JoinForInference();
        using var inference = inference_mode();
        var options = new RefinementOptions { K = 8, EveryStepLogits = false, StepNorms = false, StepHalt = false, Seed = 1 };
        using var cache = new RefinementCache(model.Config, 1, model.Device);
        using (NewDisposeScope())
            foreach (RefinementStep _ in Refiner.Run(model, model.Embed(tensor(Ids[..5], new long[] { 1, 5 })), options, cache, 0)) { }

        var statistics = DisposeScopeManager.Statistics;
        long before = statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;
        using (NewDisposeScope())
            foreach (RefinementStep _ in Refiner.Run(model, model.Embed(tensor(new[] { Ids[5] }, new long[] { 1, 1 })), options, cache, 5)) { }
        double perStep = (statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount - before) / 8.0;

        output.WriteLine($"tensors created per cached decode step (K = 8, 2 layers): {perStep:F1}");
        Assert.InRange(perStep, 1, 90);
    }

    private static int[] Tokens(IEnumerable<GenerationEvent> events) => events.OfType<TokenEvent>().Select(t => t.TokenId).ToArray();

    // Every field but the wall-clock time.
    private static string Describe(GenerationEvent e) => e switch
    {
        StepEvent s => $"step {s.TokenIndex}.{s.Step} {string.Join(",", s.TopTokens.Select(t => $"{t.TokenId}:{t.Prob:R}"))} {s.Confidence:R} {s.Entropy:R} {s.Delta:R} {s.Residual:R} {s.KlToPrevious:R} {s.Alpha:R} {s.HaltProbability:R}",
        TokenEvent t => $"token {t.TokenIndex} {t.TokenId} {t.StepsUsed}",
        DoneEvent d => $"done {d.Tokens} {d.StopReason}",
        _ => e.Kind,
    };
}
