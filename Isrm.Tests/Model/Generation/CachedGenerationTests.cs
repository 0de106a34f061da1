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
        using var inference = TinyModels.Inference();
        var options = new RefinementOptions { K = k, EveryStepLogits = false };
        long[] ids = Enumerable.Range(0, 12).Select(i => (long)((i * 37 + 11) % 256)).ToArray();
        using var cache = new RefinementCache(model.Config, 1, model.Device);

        float maxDiff = CacheAgreement.MaxDifferenceFromFullPass(model, ids, 5, options, cache, steps => CacheAgreement.FinalLogits(model, steps));
        output.WriteLine($"K={k} latent={latent}: max |cached − full| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4f, $"max abs diff {maxDiff}");
        Assert.Equal(12, cache.Length);
    }
}
