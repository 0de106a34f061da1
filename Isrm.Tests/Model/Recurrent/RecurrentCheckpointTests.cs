namespace Isrm.Tests.Model.Recurrent;

/// <summary>Recurrent checkpoints use the common folder format, reload exactly and drive the generator's event stream.</summary>
public sealed class RecurrentCheckpointTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"isrm-rlm-ckpt-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void Save_then_load_gives_identical_logits(string family)
    {
        using var model = RecurrentModels.Create(family);
        Checkpoint.Save(_folder, model, new ByteTokenizer(), new CheckpointMetadata { Command = "test" });
        using LoadedCheckpoint loaded = Checkpoint.Load(_folder, CPU);
        Assert.Equal(family, loaded.Info.Family);

        using var inference = TinyModels.Inference();
        Tensor tokens = tensor(Enumerable.Range(0, 16).Select(i => (long)(i * 29 % 256)).ToArray(), new long[] { 1, 16 });
        float diff = (Logits(model, tokens) - Logits(loaded.Model, tokens)).abs().max().item<float>();
        Assert.Equal(0f, diff);
    }

    [Fact]
    public void Generating_from_an_rlm_checkpoint_emits_one_step_with_a_state_per_token_then_done()
    {
        using (var model = RecurrentModels.Create("rlm"))
            Checkpoint.Save(_folder, model, new ByteTokenizer(), new CheckpointMetadata { Command = "test" });
        using LoadedCheckpoint checkpoint = Checkpoint.Load(_folder, CPU);
        var request = new GenerationRequest { Prompt = "The jury said", MaxTokens = 5, K = 8, IncludeStates = true, Temperature = 0 };
        List<GenerationEvent> events = Generator.Generate(checkpoint, request).ToList();

        var steps = events.OfType<StepEvent>().ToList();
        var tokens = events.OfType<TokenEvent>().ToList();
        Assert.Equal(5, steps.Count);
        Assert.All(steps, s => Assert.Equal(1, s.Step));
        Assert.All(steps, s => Assert.Equal(checkpoint.Model.Config.Width, s.State!.Length));
        Assert.All(steps, s => Assert.True(s.Delta > 0 && float.IsFinite(s.Entropy)));
        Assert.Equal(5, tokens.Count);
        Assert.All(tokens, t => Assert.Equal(1, t.StepsUsed));
        Assert.Equal(new DoneEvent(5, 0, StopReason.MaxTokens).Tokens, Assert.IsType<DoneEvent>(events[^1]).Tokens);
        Assert.Equal("step", events[0].Kind);

        // The cached (streamed state) and uncached (full recompute) paths choose the same greedy tokens.
        var uncached = Generator.Generate(checkpoint, request with { UseCache = false }).OfType<TokenEvent>().Select(t => t.TokenId);
        Assert.Equal(tokens.Select(t => t.TokenId), uncached);
    }

    private static Tensor Logits(IsrmModel model, Tensor tokens)
    {
        Tensor? logits = null;
        foreach (RefinementStep step in Refiner.Run(model, model.Embed(tokens), new RefinementOptions { K = 1, EveryStepLogits = false }))
            logits = model.Logits(step.Y);
        return logits!;
    }
}
