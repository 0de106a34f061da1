namespace Isrm.Tests.Model.Generation;

/// <summary>The per-step K/V cache gives the same logits as recomputing the whole sequence (the slow reference).</summary>
public class CachedGenerationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(4, 0)]
    [InlineData(16, 0)]
    [InlineData(1, 2)]
    [InlineData(4, 2)]
    [InlineData(16, 2)]
    public void Cached_logits_equal_a_full_recompute(int k, int latent)
    {
        using var model = TinyModels.Create(TinyModels.Config(latent));
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var options = new RefinementOptions { K = k, EveryStepLogits = false };
        long[] ids = Enumerable.Range(0, 12).Select(i => (long)((i * 37 + 11) % 256)).ToArray();

        Tensor full = FinalLogits(model, Refiner.Run(model, model.Embed(tensor(ids, new long[] { 1, 12 })), options));

        using var cache = new RefinementCache(model.Config, 1, model.Device);
        var pieces = new List<Tensor> { FinalLogits(model, Refiner.Run(model, model.Embed(tensor(ids[..5], new long[] { 1, 5 })), options, cache, 0)) };
        for (int position = 5; position < 12; position++)
        {
            Tensor x = model.Embed(tensor(new[] { ids[position] }, new long[] { 1, 1 }));
            pieces.Add(FinalLogits(model, Refiner.Run(model, x, options, cache, position)));
        }
        Tensor cached = cat(pieces.ToArray(), 1);

        float maxDiff = (cached - full).abs().max().item<float>();
        output.WriteLine($"K={k} latent={latent}: max |cached − full| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4f, $"max abs diff {maxDiff}");
        Assert.Equal(12, cache.Length);
    }

    private static Tensor FinalLogits(IsrmModel model, IEnumerable<RefinementStep> steps)
    {
        Tensor? logits = null;
        foreach (RefinementStep step in steps)
            if (step.IsLast) logits = model.Logits(step.Y);
        return logits!;
    }
}
