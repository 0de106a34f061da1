namespace Isrm.Tests.Model.Training;

/// <summary>The trainer: exact resume, atomic checkpoints, metrics apart from penalties, both families.</summary>
public class TrainerTests
{
    private static readonly IsrmConfig Tiny = new() { Width = 48, Layers = 2, FfnWidth = 64, MaxContext = 32 };

    private static TrainingOptions Options(TinyCorpus corpus, int steps) => new()
    {
        Corpus = corpus.Directory, Out = corpus.Out, Steps = steps, BatchSize = 4, Context = 32, KMin = 1, KMax = 4,
        BackpropSteps = 2, DeepSupervisionSteps = 1, MonotonicWeight = 0.1, ConvergenceWeight = 0.01, PonderWeight = 0.01,
        WarmupSteps = 3, EvalEvery = 5, EvalWindows = 4, EvalK = 2, SaveEvery = 100, ValidationFraction = 0.25,
    };

    private static List<double> Losses(string run) => TrainingMetrics.Of(run, "totalLoss");

    [Fact]
    public void Ten_steps_then_resume_then_ten_more_equal_twenty_straight()
    {
        using var straight = new TinyCorpus();
        using (Trainer trainer = Trainer.Start(Tiny, Options(straight, 20), "test"))
            Assert.Equal(TrainingOutcome.Completed, trainer.Run());

        using var resumed = new TinyCorpus();
        using (Trainer first = Trainer.Start(Tiny, Options(resumed, 20), "test"))
            Assert.Equal(TrainingOutcome.Paused, first.Run(stopAfter: 10));
        using (Trainer second = Trainer.Resume(resumed.Out, "test"))
        {
            Assert.Equal(10, second.State.Step);
            Assert.Equal(TrainingOutcome.Completed, second.Run());
        }

        List<double> a = Losses(straight.Out), b = Losses(resumed.Out);
        Assert.Equal(20, a.Count);
        Assert.Equal(20, b.Count);
        for (int i = 0; i < 20; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5, $"step {i + 1}: {a[i]} vs {b[i]}");
    }

    [Fact]
    public void The_run_folder_is_a_loadable_checkpoint_with_metrics_that_keep_validation_apart()
    {
        using var corpus = new TinyCorpus();
        using (Trainer trainer = Trainer.Start(Tiny, Options(corpus, 5), "isrm train --test"))
            trainer.Run();

        CheckpointInfo info = Checkpoint.Inspect(corpus.Out);
        Assert.Equal(5, info.Metadata.Step);
        Assert.Equal("isrm train --test", info.Metadata.Command);
        Assert.True(info.Metadata.Flops > 0 && info.Metadata.TokensSeen == 5 * 4 * 32);
        Assert.NotEmpty(info.Metadata.CorpusHash);
        JsonElement last = JsonDocument.Parse(File.ReadLines(Path.Combine(corpus.Out, Trainer.MetricsFile)).Last()).RootElement;
        double val = last.GetProperty("valLoss").GetDouble(), total = last.GetProperty("totalLoss").GetDouble(), ce = last.GetProperty("trainLoss").GetDouble();
        Assert.InRange(val, 0.5, 10);
        Assert.True(total > ce, "the total includes the penalty terms; trainLoss is cross-entropy alone");
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(Path.GetFullPath(corpus.Out))!, $".{Path.GetFileName(corpus.Out)}.*"));
    }

    [Fact]
    public void A_second_start_in_the_same_folder_is_refused_with_advice()
    {
        using var corpus = new TinyCorpus();
        using (Trainer trainer = Trainer.Start(Tiny, Options(corpus, 1), "test")) trainer.Run();
        var error = Assert.Throws<ArgumentException>(() => Trainer.Start(Tiny, Options(corpus, 1), "test"));
        Assert.Contains("--resume", error.Message);
    }

    [Fact]
    public void Training_lowers_the_loss_of_the_transformer_baseline_too()
    {
        using var corpus = new TinyCorpus();
        using Trainer trainer = Trainer.Start(Tiny with { Family = ModelFamily.Transformer }, Options(corpus, 30) with { EvalEvery = 30 }, "test");
        trainer.Run();
        List<double> losses = Losses(corpus.Out);
        Assert.True(losses[^1] < losses[0] - 0.5, $"loss went from {losses[0]} to {losses[^1]}");
    }
}
