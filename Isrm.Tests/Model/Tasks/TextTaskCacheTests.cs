namespace Isrm.Tests.Model.Tasks;

/// <summary>With significance positions and bidirectional prompts, cached decoding still equals a full recompute.</summary>
public class TextTaskCacheTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 0, PositionKind.RopeSignificance, 0)]
    [InlineData(6, 0, PositionKind.RopeSignificance, 0)]
    [InlineData(4, 2, PositionKind.RopeSignificance, 0)]
    [InlineData(6, 0, PositionKind.Significance, 0)]
    [InlineData(6, 0, PositionKind.Significance, 1)]
    [InlineData(3, 1, PositionKind.RopeSignificance, 2)]
    public void Cached_logits_equal_a_full_recompute(int k, int latent, PositionKind positions, int window)
    {
        using IsrmModel model = TinyModels.Create(PromptAttentionTests.TaskConfig() with
        {
            LatentIterations = latent, Positions = positions, SignificanceWindow = window,
        });
        using var inference = TinyModels.Inference();
        var options = new RefinementOptions { K = k, EveryStepLogits = false };
        int[] tokens = "483+97=0580\n".Select(c => (int)c).ToArray();
        long[] ids = tokens.Select(t => (long)t).ToArray();
        int n = tokens.Length, prompt = TextLayout.PromptLength(tokens);

        Tensor full = CacheAgreement.FinalLogits(model, Refiner.Run(model, model.Embed(tensor(ids, new long[] { 1, n })), options,
            layout: TextLayout.For(model.Config, [tokens], 0, n, model.Device)));

        using var cache = new RefinementCache(model.Config, 1, model.Device);
        var pieces = new List<Tensor>
        {
            CacheAgreement.FinalLogits(model, Refiner.Run(model, model.Embed(tensor(ids[..prompt], new long[] { 1, prompt })), options, cache, 0,
                layout: TextLayout.For(model.Config, [tokens[..prompt]], 0, prompt, model.Device))),
        };
        for (int position = prompt; position < n; position++)
        {
            Tensor x = model.Embed(tensor(new[] { ids[position] }, new long[] { 1, 1 }));
            TokenLayout? layout = TextLayout.For(model.Config, [tokens[..(position + 1)]], position, 1, model.Device);
            pieces.Add(CacheAgreement.FinalLogits(model, Refiner.Run(model, x, options, cache, position, layout: layout)));
        }
        Tensor cached = cat(pieces.ToArray(), 1);

        float maxDiff = (cached - full).abs().max().item<float>();
        output.WriteLine($"K={k} latent={latent} {positions} window {window}: max |cached − full| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4f, $"max abs diff {maxDiff}");
    }

    [Fact]
    public void The_generator_writes_the_same_answer_with_and_without_the_cache()
    {
        var checkpoint = TinyModels.Loaded(PromptAttentionTests.TaskConfig());
        using var model = checkpoint.Model;
        string Generate(bool cache) => string.Concat(Isrm.Model.Generation.Generator.Generate(checkpoint, new GenerationRequest
        {
            Prompt = "483+97=", MaxTokens = 6, K = 4, Temperature = 0, UseCache = cache, TraceSteps = false,
        }).OfType<TokenEvent>().Select(e => e.Text));
        Assert.Equal(Generate(false), Generate(true));
    }
}
