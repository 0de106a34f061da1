namespace Isrm.Tests.Model.Tasks;

/// <summary>Bidirectional prompt attention: prompt tokens see the whole prompt, answer tokens stay causal.</summary>
public class PromptAttentionTests
{
    internal static IsrmConfig TaskConfig(PromptAttentionKind attention = PromptAttentionKind.Bidirectional) => TinyModels.Config() with
    {
        QueryHeads = 4, KvHeads = 2, Positions = PositionKind.RopeSignificance, PromptAttention = attention,
    };

    [Fact]
    public void The_mask_lets_prompt_tokens_read_the_whole_prompt_and_answer_tokens_only_the_past()
    {
        using var scope = NewDisposeScope();
        var layout = new TokenLayout(null, tensor(new long[] { 3, 1 }));
        Tensor mask = layout.Mask(0, 5, 0);                                         // (B, 1, T, S)
        Assert.Equal(new long[] { 2, 1, 5, 5 }, mask.shape);
        bool[,] expected =
        {
            { true, true, true, false, false },
            { true, true, true, false, false },
            { true, true, true, false, false },
            { true, true, true, true, false },
            { true, true, true, true, true },
        };
        for (int q = 0; q < 5; q++)
            for (int k = 0; k < 5; k++)
            {
                Assert.Equal(expected[q, k], mask[0, 0, q, k].item<bool>());
                Assert.Equal(k <= q, mask[1, 0, q, k].item<bool>());                // a one-token prompt is plain causal
            }
        Tensor decode = layout.Mask(4, 1, 0);                                      // one new query at position 4 over the cache
        Assert.Equal(new long[] { 2, 1, 1, 5 }, decode.shape);
        Assert.True(decode[0].all().item<bool>());
    }

    [Fact]
    public void A_significance_window_keeps_only_keys_of_nearby_significance()
    {
        using var scope = NewDisposeScope();
        int[] tokens = "123+45=".Select(c => (int)c).ToArray();           // significance 2 1 0 0 1 0 4
        var config = TaskConfig() with { SignificanceWindow = 1 };
        TokenLayout layout = TextLayout.For(config, [tokens], 0, tokens.Length, CPU)!;
        Tensor mask = layout.Mask(0, tokens.Length, 0, window: 1);
        int[] significance = TextLayout.Significance(tokens);
        for (int q = 0; q < tokens.Length; q++)
            for (int k = 0; k < tokens.Length; k++)
                Assert.Equal(Math.Abs(significance[q] - significance[k]) <= 1, mask[0, 0, q, k].item<bool>());   // all prompt
        Tensor decode = TextLayout.For(config, [[.. tokens, '0']], 7, 1, CPU)!.Mask(7, 1, 0, window: 1);   // '0' has significance 3
        Assert.Equal(new[] { true, false, false, false, false, false, true, true }, decode.reshape(-1).data<bool>().ToArray());
    }

    private static Tensor FinalLogits(IsrmModel model, string text)
    {
        int[] tokens = text.Select(c => (int)c).ToArray();
        Tensor x = model.Embed(tensor(tokens.Select(t => (long)t).ToArray(), new long[] { 1, tokens.Length }));
        TokenLayout? layout = TextLayout.For(model.Config, [tokens], 0, tokens.Length, model.Device);
        return CacheAgreement.FinalLogits(model, Refiner.Run(model, x, new RefinementOptions { K = 3, EveryStepLogits = false }, layout: layout));
    }

    [Fact]
    public void A_prompt_tokens_output_changes_with_a_later_prompt_token_only_when_bidirectional()
    {
        using var inference = TinyModels.Inference();
        foreach (var (attention, changes) in new[] { (PromptAttentionKind.Bidirectional, true), (PromptAttentionKind.Causal, false) })
        {
            using IsrmModel model = TinyModels.Create(TaskConfig(attention));
            Tensor a = FinalLogits(model, "12+34=046"), b = FinalLogits(model, "12+35=047");
            float first = (a[0, 0] - b[0, 0]).abs().max().item<float>();           // the '1' at position 0
            Assert.True(changes ? first > 1e-4f : first == 0f, $"{attention}: position 0 moved by {first}");
        }
    }

    [Fact]
    public void An_answer_tokens_output_does_not_depend_on_later_tokens()
    {
        using var inference = TinyModels.Inference();
        using IsrmModel model = TinyModels.Create(TaskConfig());
        Tensor a = FinalLogits(model, "12+34=046"), b = FinalLogits(model, "12+34=047");
        float upToAnswer = (a.narrow(1, 0, 8) - b.narrow(1, 0, 8)).abs().max().item<float>();
        float last = (a[0, 8] - b[0, 8]).abs().max().item<float>();
        Assert.True(upToAnswer < 1e-5f, $"earlier positions moved by {upToAnswer}");
        Assert.True(last > 1e-4f, "the changed token itself must change its own output");
    }

    [Fact]
    public void Significance_heads_make_the_output_depend_on_significance_and_a_default_model_ignores_any_layout()
    {
        using var inference = TinyModels.Inference();
        int[] tokens = "12+34=046".Select(c => (int)c).ToArray();
        Tensor x(IsrmModel m) => m.Embed(tensor(tokens.Select(t => (long)t).ToArray(), new long[] { 1, tokens.Length }));
        Tensor Run(IsrmModel m, TokenLayout? layout) =>
            CacheAgreement.FinalLogits(m, Refiner.Run(m, x(m), new RefinementOptions { K = 2, EveryStepLogits = false }, layout: layout));
        var shifted = new TokenLayout(tensor(Enumerable.Range(0, tokens.Length).Select(i => (long)(i % 3)).ToArray(), new long[] { 1, tokens.Length }), null);

        using IsrmModel plain = TinyModels.Create(TinyModels.Config());
        Assert.Equal(0f, (Run(plain, null) - Run(plain, shifted)).abs().max().item<float>());

        using IsrmModel significant = TinyModels.Create(TaskConfig(PromptAttentionKind.Causal));
        TokenLayout? own = TextLayout.For(significant.Config, [tokens], 0, tokens.Length, significant.Device);
        Assert.True((Run(significant, own) - Run(significant, shifted)).abs().max().item<float>() > 1e-4f);
    }
}
