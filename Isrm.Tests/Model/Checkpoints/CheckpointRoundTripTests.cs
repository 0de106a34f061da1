namespace Isrm.Tests.Model.Checkpoints;

/// <summary>A saved checkpoint loads back into a model that computes exactly the same logits.</summary>
public class CheckpointRoundTripTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Save_then_load_gives_identical_logits(int latent)
    {
        using var folder = new TempFolder();
        string directory = folder.Combine("tiny");
        using var original = TinyModels.Create(TinyModels.Config(latent), seed: 11);
        Checkpoint.Save(directory, original, new Isrm.Model.Tokenization.ByteTokenizer(), new CheckpointMetadata { Step = 5 });

        using LoadedCheckpoint loaded = Checkpoint.Load(directory, CPU);
        using var inference = TinyModels.Inference();
        Tensor tokens = tensor(new long[] { 72, 101, 108, 108, 111, 32, 119 }, new long[] { 1, 7 });

        Tensor before = FinalLogits(original, tokens), after = FinalLogits(loaded.Model, tokens);

        Assert.Equal(0f, (before - after).abs().max().item<float>());
        Assert.Equal(original.ParameterCount, loaded.Info.ParameterCount);
        Assert.Equal(original.Config, loaded.Model.Config);
        Assert.Equal(5, loaded.Info.Metadata.Step);
        Assert.Equal("bytes", loaded.Tokenizer.Kind);
    }

    private static Tensor FinalLogits(IsrmModel model, Tensor tokens) =>
        CacheAgreement.FinalLogits(model, Refiner.Run(model, model.Embed(tokens), new RefinementOptions { K = 4 }));
}
