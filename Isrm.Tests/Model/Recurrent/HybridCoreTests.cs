using Isrm.Model.Recurrent;

namespace Isrm.Tests.Model.Recurrent;

/// <summary>
/// The hybrid (issue 14.3): a recurrent core plus attention over the last W tokens (<c>--window W</c>). It streams
/// exactly, its state stops growing at W, it sees nothing older than W, and it saves and loads like any checkpoint.
/// </summary>
public class HybridCoreTests(ITestOutputHelper output)
{
    private const int Window = 5;

    private static IsrmModel Hybrid(string family, int ticks = 1) =>
        TinyModels.Create(RecurrentModels.Config(family) with { Window = Window, Ticks = ticks }, seed: 9);

    private static readonly long[] Ids = Enumerable.Range(0, 20).Select(i => (long)((i * 53 + 7) % 256)).ToArray();

    private static Tensor Final(IEnumerable<RefinementStep> steps)
    {
        Tensor? last = null;
        foreach (RefinementStep step in steps) if (step.IsLast) last = step.LogProbs!.clone();
        return last!;
    }

    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void The_hybrid_gives_one_read_out_per_token_and_every_part_gets_a_gradient(string family)
    {
        using var model = Hybrid(family);
        using var scope = NewDisposeScope();
        var hybrid = Assert.IsType<HybridCore>(model.Recurrent);
        Tensor x = model.Embed(tensor(Ids, new long[] { 1, Ids.Length }).expand(2, -1));
        var (outputs, state) = hybrid.Forward(x, hybrid.InitialState(2, model.Device), 0);
        Assert.Equal(new long[] { 2, 20, 24 }, outputs.shape);
        Assert.Equal(new long[] { 2, Window, 24 }, state[^3].shape);                    // keys of the last W positions
        Assert.Equal(2 * Window * 24 + 24 + hybrid.Inner.StateFloats, hybrid.StateFloats);
        outputs.pow(2).mean().backward();
        string[] parts = ["recurrent.key_value.weight", "recurrent.query.weight", "recurrent.output.weight"];
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        foreach (string name in parts.Append(grads.Keys.First(n => n.StartsWith("recurrent.core.", StringComparison.Ordinal))))
            Assert.True(grads[name] is Tensor g && g.abs().sum().item<float>() > 0, $"{name} has no gradient");
    }

    [Theory]
    [InlineData("rlm", 1)]
    [InlineData("rlt", 1)]
    [InlineData("gated-rlt", 1)]
    [InlineData("rlm", 3)]
    public void Streaming_the_hybrid_token_by_token_gives_the_logits_of_one_full_pass(string family, int ticks)
    {
        using var model = Hybrid(family, ticks);
        using var inference = TinyModels.Inference();
        var options = new RefinementOptions { K = ticks, EveryStepLogits = false };
        using var cache = new RefinementCache(model.Config, 1, model.Device);
        float maxDiff = CacheAgreement.MaxDifferenceFromFullPass(model, Ids, 7, options, cache, Final);
        output.WriteLine($"{family}, {ticks} tick(s), window {Window}: max |streamed − full| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4f, $"max abs diff {maxDiff}");
    }

    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void The_hybrid_state_has_the_same_size_after_8_and_after_400_tokens(string family)
    {
        using var model = Hybrid(family);
        using var inference = inference_mode();
        RecurrentModels.AssertStateDoesNotGrow(model, output, $"{family} + window {Window}");
    }

    [Fact]
    public void The_attention_memory_sees_the_last_W_tokens_and_nothing_older()
    {
        // a core that remembers nothing, so whatever reaches position p comes through the window
        torch.manual_seed(4);
        var config = RecurrentModels.Config("rlm") with { Window = Window };
        using var hybrid = new HybridCore(config, new ForgetfulCore(config.Width));
        using var noGrad = no_grad();
        Tensor x = randn(1, 16, config.Width);
        int p = 12;
        Tensor At(Tensor input) => hybrid.Forward(input, hybrid.InitialState(1, input.device), 0).Outputs.select(1, p);
        Tensor reference = At(x);
        Tensor Changed(int position) { Tensor y = x.clone(); y[0, position] = randn(config.Width); return y; }
        // the oldest visible key (position p−W+1) is made from x at p−W and p−W+1; x at p−W−1 is out of reach
        Assert.True((At(Changed(p - Window - 1)) - reference).abs().max().item<float>() == 0, "a token older than the window reached position p");
        Assert.True((At(Changed(p - Window)) - reference).abs().max().item<float>() > 1e-4, "the oldest key of the window did not count");
        Assert.True((At(Changed(p - 1)) - reference).abs().max().item<float>() > 1e-4, "the previous token did not count");
        Assert.True((At(Changed(p + 1)) - reference).abs().max().item<float>() == 0, "a later token reached position p");
    }

    [Fact]
    public void A_hybrid_checkpoint_loads_back_with_the_same_logits_and_other_families_refuse_a_window()
    {
        using var folder = new TempFolder();
        using var model = Hybrid("rlm");
        string dir = folder.Combine("hybrid");
        Checkpoint.Save(dir, model, new ByteTokenizer(), new CheckpointMetadata { Command = "test", Corpus = "none", Tokenizer = ByteTokenizer.KindName });
        using LoadedCheckpoint loaded = Checkpoint.Load(dir, Isrm.Model.Runtime.ComputeDevice.Parse("cpu"));
        Assert.Equal(Window, loaded.Model.Config.Window);
        using var inference = inference_mode();
        var options = new RefinementOptions { K = 1, EveryStepLogits = false };
        Tensor before = Final(Refiner.Run(model, model.Embed(tensor(Ids, new long[] { 1, 20 })), options));
        Tensor after = Final(Refiner.Run(loaded.Model, loaded.Model.Embed(tensor(Ids, new long[] { 1, 20 })), options));
        Assert.Equal(0f, (before - after).abs().max().item<float>());
        var refused = Assert.Throws<ArgumentException>(() => (new IsrmConfig { Family = ModelFamily.Transformer, Window = 4 }).Validate());
        Assert.Equal("window must be 0 or more, and above 0 only for rlm, rlt or gated-rlt.", refused.Message);
    }

    [Fact]
    public void The_hybrid_trains_on_associative_recall()
    {
        var task = new AssociativeRecall(Keys: 16, Values: 8, Queries: 4);
        torch.manual_seed(2);
        var config = RecurrentModels.Config("rlm") with { VocabSize = task.VocabSize, Window = 8, StepEmbedding = StepEmbeddingKind.None, HaltingHead = false };
        using var model = new IsrmModel(config);
        var outcome = new RecallTraining([2, 4], Steps: 3, Minutes: 5, Batch: 4, Warmup: 1).Run(model, task);
        Assert.Equal(3, outcome.Steps);
        Assert.True(double.IsFinite(outcome.FinalLoss) && outcome.FinalLoss > 0);
        Assert.InRange(task.Accuracy(model, pairs: 4, sequences: 8, seed: 3, loops: 1), 0, 1);
    }

    /// <summary>A core with no memory at all: read-out 0 for every token.</summary>
    private sealed class ForgetfulCore(int width) : RecurrentCore(nameof(ForgetfulCore))
    {
        public override Tensor[] InitialState(long batch, Device device) => [];
        public override (Tensor Outputs, Tensor[] State) Forward(Tensor x, Tensor[] state, int offset) => (zeros(x.shape[0], x.shape[1], width), []);
        public override long StateFloats => 0;
        public override int AttendedPositions => 0;
    }
}
