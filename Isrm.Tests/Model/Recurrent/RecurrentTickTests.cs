namespace Isrm.Tests.Model.Recurrent;

/// <summary>With ticks, a recurrent family refines like ISRM: K steps per token, any K at inference, K = ∞, a cache.</summary>
public class RecurrentTickTests(ITestOutputHelper output)
{
    private static IsrmModel Ticked(string family, int ticks = 3) =>
        TinyModels.Create(RecurrentModels.Config(family) with { Ticks = ticks }, seed: 5);

    private static readonly long[] Ids = Enumerable.Range(0, 12).Select(i => (long)((i * 37 + 11) % 256)).ToArray();

    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void A_ticked_model_yields_every_tick_and_its_first_tick_is_the_core_read_out(string family)
    {
        using var model = Ticked(family);
        using var inference = TinyModels.Inference();
        Assert.False(model.Config.IsSinglePass);
        Tensor x = model.Embed(tensor(Ids, new long[] { 1, Ids.Length }));
        var steps = new List<(int Step, Tensor Y, float Residual)>();
        foreach (RefinementStep step in Refiner.Run(model, x, new RefinementOptions { K = 5 }))
            steps.Add((step.Step, step.Y.alias(), step.Residual!.mean().item<float>()));
        Assert.Equal([1, 2, 3, 4, 5], steps.Select(s => s.Step));
        var (direct, _) = model.Recurrent!.Forward(x, model.Recurrent.InitialState(1, model.Device), 0);
        Assert.True((steps[0].Y - direct).abs().max().item<float>() < 1e-6f, "tick 1 reads the tokens alone");
        Assert.True((steps[1].Y - steps[0].Y).abs().max().item<float>() > 1e-4f, "tick 2 reads the previous tick's answer");
        output.WriteLine($"{family}: mean residual per tick {string.Join(", ", steps.Select(s => s.Residual.ToString("F4")))}");
    }

    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void Streaming_a_ticked_model_token_by_token_gives_the_logits_of_one_full_pass(string family)
    {
        using var model = Ticked(family);
        using var inference = TinyModels.Inference();
        var options = new RefinementOptions { K = 4, EveryStepLogits = false };
        using var cache = new RefinementCache(model.Config, 1, model.Device);
        float maxDiff = CacheAgreement.MaxDifferenceFromFullPass(model, Ids, 5, options, cache, Last);
        output.WriteLine($"{family}: max |streamed − full| at K = 4: {maxDiff:E2}; state {cache.RecurrentBytes} bytes over 4 ticks");
        Assert.True(maxDiff <= 1e-4f, $"max abs diff {maxDiff}");
        Assert.Equal(4 * cache.Recurrent.Bytes, cache.RecurrentBytes);
    }

    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void K_infinity_stops_by_itself_and_a_later_token_may_use_more_ticks(string family)
    {
        using var model = Ticked(family);
        using var inference = TinyModels.Inference();
        using var cache = new RefinementCache(model.Config, 1, model.Device);
        int used = Refiner.Run(model, model.Embed(tensor(Ids[..6], new long[] { 1, 6 })), new RefinementOptions { K = 2 }, cache, 0).Count();
        Assert.Equal(2, used);
        int more = Refiner.Run(model, model.Embed(tensor(new[] { Ids[6] }, new long[] { 1, 1 })), new RefinementOptions { K = 5 }, cache, 6).Count();
        Assert.Equal(5, more);   // ticks 3–5 continue from tick 2's state, handed on
        Assert.Equal(7, cache.Tick(5, 7).Length);
        var adaptive = new RefinementOptions { K = RefinementDepth.Infinite.Capped(40), KlTolerance = 1e-3f };
        var last = Refiner.Run(model, model.Embed(tensor(new[] { Ids[7] }, new long[] { 1, 1 })), adaptive, cache, 7).Select(s => (s.Step, s.IsLast)).Last();
        output.WriteLine($"{family}: K = ∞ stopped at {last.Step}");
        Assert.True(last.IsLast);
        Assert.InRange(last.Step, 1, 40);
        Assert.Equal(8, cache.Length);
    }

    [Fact]
    public void Ticks_above_one_are_refused_for_isrm_and_the_transformer_in_one_sentence()
    {
        var e = Assert.Throws<ArgumentException>(() => new IsrmConfig { Family = ModelFamily.Transformer, Ticks = 4 }.Validate());
        Assert.Equal("ticks must be at least 1, and above 1 only for rlm, rlt or gated-rlt.", e.Message);
        Assert.True(new IsrmConfig { Family = ModelFamily.Rlm, Ticks = 1 }.IsSinglePass);
    }

    private static Tensor Last(IEnumerable<RefinementStep> steps)
    {
        Tensor? logProbs = null;
        foreach (RefinementStep step in steps)
            if (step.IsLast) logProbs = step.LogProbs!.alias();
        return logProbs!;
    }
}
