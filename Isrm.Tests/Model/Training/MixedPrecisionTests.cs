namespace Isrm.Tests.Model.Training;

/// <summary>bf16 mixed precision: matmuls in bfloat16, float32 everywhere else (master weights, gradients, rotary, norms).</summary>
public class MixedPrecisionTests
{
    private static readonly IsrmConfig Tiny = new() { Width = 48, Layers = 2, FfnWidth = 64, MaxContext = 32, InitialState = InitialStateKind.Random, StepEmbedding = StepEmbeddingKind.None };

    [Fact]
    public void A_bf16_matmul_returns_float32_close_to_the_float32_product()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        Tensor x = randn(16, 48), w = randn(32, 48);
        Tensor exact = nn.functional.linear(x, w);
        Tensor mixed;
        using (MixedPrecision.Enable()) mixed = MixedPrecision.Linear(x, w);

        Assert.False(MixedPrecision.IsActive);
        Assert.Equal(ScalarType.Float32, mixed.dtype);
        double relative = ((mixed - exact).norm() / exact.norm()).item<float>();
        Assert.InRange(relative, 1e-6, 2e-2);   // bfloat16 rounding: not exact, but close
    }

    [Fact]
    public void Gradients_of_a_bf16_forward_reach_the_float32_master_weights()
    {
        manual_seed(5);
        using var model = new IsrmModel(Tiny);
        model.train();
        using var scope = NewDisposeScope();
        Tensor tokens = randint(0, 256, new long[] { 2, 12 });
        Tensor? loss = null;
        using (MixedPrecision.Enable())
            foreach (RefinementStep step in Refiner.Run(model, model.Embed(tokens), new RefinementOptions { K = 3, EveryStepLogits = false }))
                if (step.IsLast) loss = step.LogProbs!.mean().neg();
        loss!.backward();

        Assert.All(model.parameters().Where(p => p.dim() == 2), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(model.named_parameters().Where(p => p.name.EndsWith("wq.weight") || p.name.EndsWith("gate.weight")),
            p => Assert.True(p.parameter.grad is { } g && g.dtype == ScalarType.Float32 && g.abs().sum().item<float>() > 0, $"{p.name}"));
    }

    [Fact]
    public void Training_with_bf16_says_which_precision_it_uses_and_learns()
    {
        using var corpus = new TinyCorpus();
        var options = new TrainingOptions
        {
            Corpus = corpus.Directory, Out = corpus.Out, Steps = 6, BatchSize = 4, Context = 32, KMin = 1, KMax = 3,
            WarmupSteps = 1, EvalEvery = 6, EvalWindows = 4, EvalK = 2, SaveEvery = 100, ValidationFraction = 0.25, Precision = "bf16",
        };
        using Trainer trainer = Trainer.Start(Tiny, options, "test");
        Assert.Equal(TrainingOutcome.Completed, trainer.Run());

        Assert.NotNull(trainer.PrecisionNote);
        Assert.StartsWith(trainer.UsesBFloat16 ? "Training in bf16 mixed precision" : "Training in fp32 instead of bf16", trainer.PrecisionNote);
        List<double> losses = TrainingMetrics.Of(corpus.Out, "trainLoss");
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < losses[0], $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void An_unknown_precision_is_one_sentence()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { Precision = "fp8" }.Validate());
        Assert.Equal("--precision must be fp32, bf16 or auto (got 'fp8').", error.Message);
    }
}
