namespace Isrm.Tests.Model.Modules;

/// <summary>
/// The text-recipe options of issue 13: a prelude run once before the loop, a position-wise coda, sandwich norms, a
/// normalised input, and an EMA of the weights — each computes the same thing cached and uncached, saves, loads and resumes.
/// </summary>
public class HuginnLayoutTests(ITestOutputHelper output)
{
    private static readonly long[] Ids = Enumerable.Range(0, 12).Select(i => (long)((i * 53 + 5) % 256)).ToArray();

    private static IsrmConfig Layout => TinyModels.Config() with
    {
        Layers = 1, Prelude = 1, Coda = 1, SandwichNorm = true, InputNorm = true, StateNorm = true,
        InitialState = InitialStateKind.Random, StepEmbedding = StepEmbeddingKind.None, InputInjection = InjectionKind.ConcatProject,
    };

    private static Tensor FinalLogits(IsrmModel model, IEnumerable<RefinementStep> steps)
    {
        Tensor? last = null;
        foreach (RefinementStep step in steps)
            if (step.IsLast) last = step.LogProbs!.detach().clone();
        return last!;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Cached_decode_with_prelude_and_coda_equals_a_full_recompute(int k)
    {
        float difference = TinyModels.LeanCacheDifference(Layout, Ids, prefix: 4, k, seed: 3, FinalLogits);
        output.WriteLine($"K={k}: max |cached − full| = {difference:E2}");
        Assert.True(difference <= 1e-4f, $"max abs diff {difference}");
    }

    [Fact]
    public void The_prelude_makes_a_position_depend_on_earlier_tokens_already_at_step_one()
    {
        // Without a prelude, step 1 of position t reads its own embedding and the others' (random) starts through
        // attention; with one, the injected input itself already mixes the context. Changing token 0 must change
        // what position 5 is given, and never what position 0 is given when a later token changes (causal).
        using var model = TinyModels.Create(Layout);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long[] other = (long[])Ids.Clone();
        other[0] = (Ids[0] + 1) % 256;
        Tensor a = model.Inject(model.Embed(tensor(Ids, new long[] { 1, 12 })), null, 0);
        Tensor b = model.Inject(model.Embed(tensor(other, new long[] { 1, 12 })), null, 0);
        Assert.True((a[0, 5] - b[0, 5]).abs().max().item<float>() > 1e-6f, "position 5 did not see token 0");
        long[] later = (long[])Ids.Clone();
        later[9] = (Ids[9] + 1) % 256;
        Tensor c = model.Inject(model.Embed(tensor(later, new long[] { 1, 12 })), null, 0);
        Assert.True((a[0, 0] - c[0, 0]).abs().max().item<float>() == 0f, "position 0 saw a later token");
    }

    [Fact]
    public void A_checkpoint_with_the_layout_loads_with_the_same_parameters_and_logits()
    {
        using var folder = new TempFolder();
        using IsrmModel model = TinyModels.Create(Layout);
        Checkpoint.Save(folder.Path, model, new ByteTokenizer(),
            new CheckpointMetadata { Command = "test", Corpus = "none", Tokenizer = ByteTokenizer.KindName, Step = 1, TokensSeen = 1 });
        using LoadedCheckpoint loaded = Checkpoint.Load(folder.Path, torch.CPU);

        Assert.Equal(1, loaded.Model.Config.Prelude);
        Assert.True(loaded.Model.Config.SandwichNorm && loaded.Model.Config.InputNorm);
        Assert.Equal(model.ParameterCount, loaded.Model.ParameterCount);
        Assert.Contains(loaded.Model.named_parameters(), p => p.name.StartsWith("prelude."));
        Assert.Contains(loaded.Model.named_parameters(), p => p.name.StartsWith("coda."));
        using var inference = inference_mode();
        var options = new RefinementOptions { K = 3, EveryStepLogits = false, Seed = 1 };
        Tensor before = FinalLogits(model, Refiner.Run(model, model.Embed(tensor(Ids, new long[] { 1, 12 })), options));
        Tensor after = FinalLogits(loaded.Model, Refiner.Run(loaded.Model, loaded.Model.Embed(tensor(Ids, new long[] { 1, 12 })), options));
        Assert.True((before - after).abs().max().item<float>() <= 1e-6f);
    }

    [Fact]
    public void A_prelude_on_the_transformer_or_a_recurrent_family_is_refused_in_one_sentence()
    {
        var e = Assert.Throws<ArgumentException>(() => (TinyModels.Config() with { Family = ModelFamily.Transformer, Prelude = 1 }).Validate());
        Assert.Contains("only for isrm", e.Message);
        Assert.Throws<ArgumentException>(() => (TinyModels.Config() with { Coda = -1 }).Validate());
    }

    [Fact]
    public void Every_option_changes_the_parameter_count_as_documented()
    {
        IsrmConfig plain = TinyModels.Config() with { Layers = 1, StepEmbedding = StepEmbeddingKind.None };
        long Count(IsrmConfig c) { using var m = TinyModels.Create(c); return m.ParameterCount; }
        long basic = Count(plain);
        int d = plain.Width, f = plain.FfnWidth;
        Assert.Equal(d, Count(plain with { InputNorm = true }) - basic);                       // one gain vector
        Assert.Equal(2 * d, Count(plain with { SandwichNorm = true }) - basic);                // two per block
        Assert.Equal(d + 3L * d * f, Count(plain with { Coda = 1 }) - basic);                  // norm + SwiGLU
        Assert.Equal(Count(plain with { Layers = 2 }), Count(plain with { Prelude = 1 }));     // a prelude block is a block
    }
}

/// <summary>Training with an EMA of the weights: the checkpoint holds the average, and resume is exact.</summary>
[Collection(SeededTrainingCollection.Name)]
public class WeightAverageTests
{
    private static readonly IsrmConfig Tiny = new()
    {
        Width = 48, Layers = 1, Prelude = 1, FfnWidth = 64, MaxContext = 32, InputNorm = true, StateNorm = true,
        InitialState = InitialStateKind.Random, StepEmbedding = StepEmbeddingKind.None, InputInjection = InjectionKind.ConcatProject,
    };

    private static TrainingOptions Options(TinyCorpus corpus, int steps) => new()
    {
        Corpus = corpus.Directory, Out = corpus.Out, Steps = steps, BatchSize = 4, Context = 32, KMin = 1, KMax = 4,
        BackpropSteps = 2, WarmupSteps = 2, EvalEvery = 4, EvalWindows = 4, EvalK = 2, SaveEvery = 100,
        ValidationFraction = 0.25, EmaDecay = 0.9,
    };

    private static float[] Weights(string folder)
    {
        using LoadedCheckpoint c = Checkpoint.Load(folder, torch.CPU);
        return c.Model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();
    }

    [Fact]
    public void Four_steps_then_resume_then_four_more_equal_eight_straight_and_the_folder_holds_the_average()
    {
        using var straight = new TinyCorpus();
        using (Trainer trainer = Trainer.Start(Tiny, Options(straight, 8), "test")) trainer.Run();
        using var resumed = new TinyCorpus();
        using (Trainer first = Trainer.Start(Tiny, Options(resumed, 8), "test")) first.Run(stopAfter: 4);
        Assert.True(File.Exists(Path.Combine(resumed.Out, WeightAverage.RawFile)));
        using (Trainer second = Trainer.Resume(resumed.Out, "test")) second.Run();

        float[] a = Weights(straight.Out), b = Weights(resumed.Out);
        Assert.Equal(a.Length, b.Length);
        float worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= 1e-5f, $"resumed average differs by {worst}");

        // The folder's weights are the average, not the raw weights beside them.
        using LoadedCheckpoint loaded = Checkpoint.Load(straight.Out, torch.CPU);
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(straight.Out, WeightAverage.RawFile)));
        double gap = 0;
        foreach (var p in loaded.Model.parameters())
        {
            using Tensor raw = torch.zeros_like(p);
            raw.Load(reader);
            gap = Math.Max(gap, (raw - p).abs().max().item<float>());
        }
        Assert.True(gap > 1e-6, "the checkpoint holds the raw weights, not their average");
    }

    [Fact]
    public void An_ema_outside_zero_to_one_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingOptions { EmaDecay = 1.5 }.Validate());
        Assert.Contains("--ema", e.Message);
    }
}
