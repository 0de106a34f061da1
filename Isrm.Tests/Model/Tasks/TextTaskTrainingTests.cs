namespace Isrm.Tests.Model.Tasks;

/// <summary>The one trainer trains on a text task: answer-only loss, K tied to size, exact resume, a task checkpoint.</summary>
[Collection(SeededTrainingCollection.Name)]
public class TextTaskTrainingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "isrm-text-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static readonly IsrmConfig Tiny = new()
    {
        Width = 32, Layers = 1, QueryHeads = 4, KvHeads = 2, FfnWidth = 48, MaxContext = 64,
        Positions = PositionKind.RopeSignificance, PromptAttention = PromptAttentionKind.Bidirectional,
    };

    private TrainingOptions Options(string name, int steps) => new()
    {
        Out = Path.Combine(_root, name), Task = "addition", TrainSizes = [1, 2, 3], Steps = steps, BatchSize = 8,
        WarmupSteps = 2, EvalEvery = 4, SaveEvery = 100, KPerSize = 1, KExtra = 1, Threads = 1,
    };

    private static List<double> Losses(string run) => TrainingMetrics.Of(run, "totalLoss");

    /// <summary>A run of <paramref name="steps"/> steps trained into <paramref name="name"/>, then loaded from its folder as a user would.</summary>
    private LoadedCheckpoint Trained(string name, int steps)
    {
        using (Trainer trainer = Trainer.Start(Tiny, Options(name, steps), "test"))
            trainer.Run();
        return Checkpoint.Load(Path.Combine(_root, name), CPU);
    }

    [Fact]
    public void A_batch_counts_only_the_answer_and_its_newline()
    {
        var config = Tiny;
        using var scope = NewDisposeScope();
        TrainingBatch batch = TextTaskBatches.Encode(new AdditionTask(), config, ["12+13=", "7+8="], CPU);
        // "12+13=025\n" → 9 inputs; the targets from '=' on ("025\n") count; the shorter row is padded.
        Assert.Equal(new long[] { 2, 9 }, batch.Inputs.shape);
        float[] mask = batch.LossMask!.data<float>().ToArray();
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], mask[..9]);
        Assert.Equal([0, 0, 0, 1, 1, 1, 0, 0, 0], mask[9..]);
        Assert.Equal((long)'0', batch.Targets[0, 5].item<long>());
        Assert.Equal((long)'\n', batch.Targets[0, 8].item<long>());
        Assert.Equal(new long[] { 2, 9 }, batch.Layout!.Significance!.shape);
        Assert.Equal(new long[] { 6, 4 }, batch.Layout.PromptLength!.data<long>().ToArray());
    }

    [Fact]
    public void K_is_tied_to_the_size()
    {
        var options = Options("k", 1) with { KPerSize = 1.5, KExtra = 2 };
        var random = new Random(1);
        Assert.Equal(17, KSampler.ForSize(options, 10));
        for (int i = 0; i < 20; i++) Assert.InRange(KSampler.ForSize(options, 10, random), 15, 17);
    }

    [Fact]
    public void Eight_steps_then_resume_then_four_more_equal_twelve_straight_and_the_folder_names_its_task()
    {
        using (Trainer trainer = Trainer.Start(Tiny, Options("straight", 12), "test"))
            Assert.Equal(TrainingOutcome.Completed, trainer.Run());
        using (Trainer first = Trainer.Start(Tiny, Options("resumed", 12), "test"))
            Assert.Equal(TrainingOutcome.Paused, first.Run(stopAfter: 8));
        using (Trainer second = Trainer.Resume(Path.Combine(_root, "resumed"), "test"))
            Assert.Equal(TrainingOutcome.Completed, second.Run());

        Assert.Equal(Losses(Path.Combine(_root, "straight")), Losses(Path.Combine(_root, "resumed")));
        CheckpointInfo info = Checkpoint.Inspect(Path.Combine(_root, "straight"));
        Assert.Equal("addition", info.Config.Task);     // config.json names the task and the network
        Assert.Equal("addition", info.Metadata.Task);
        // a folder written before config.json named its task still resolves it from metadata.json
        Assert.Equal("addition", (info with { Config = info.Config with { Task = null } }).Task);
        Assert.Null((info with { Config = info.Config with { Task = null }, Metadata = info.Metadata with { Task = null } }).Task);
        Assert.Equal(PositionKind.RopeSignificance, info.Config.Positions);
        string last = File.ReadLines(Path.Combine(_root, "straight", Trainer.MetricsFile)).Last();
        JsonElement exact = JsonDocument.Parse(last).RootElement.GetProperty("valExact");
        Assert.True(exact.TryGetProperty("3@4", out _), last);
    }

    [Fact]
    public void The_evaluator_reports_every_size_and_K_in_the_puzzles_shape()
    {
        using LoadedCheckpoint loaded = Trained("eval", 2);
        var task = new AdditionTask();
        var random = new Random(9);
        var prompts = new[] { 2, 2, 5 }.Select(s => task.Prompt(random, s)).ToList();
        List<PuzzleResult> results = TextTaskEvaluator.Evaluate(loaded.Model, task, prompts, [1, 3, null],
            new PuzzleSolveOptions { K = RefinementDepth.Infinite.Capped(20), Patience = 2 }, batch: 2);
        Assert.Equal([2, 2, 2, 5, 5, 5], results.Select(r => r.Size));
        Assert.Equal(["1", "3", "inf", "1", "3", "inf"], results.Select(r => r.K));
        Assert.Equal([2, 2, 2, 1, 1, 1], results.Select(r => r.Instances));
        Assert.All(results, r => Assert.InRange(r.PositionAccuracy, 0, 1));
        Assert.All(results.Where(r => r.K == "inf"), r => Assert.InRange(r.MeanK!.Value, 1, 20));
    }

    [Fact]
    public void The_trainers_validation_score_agrees_with_the_evaluator()
    {
        using LoadedCheckpoint loaded = Trained("score", 6);
        var task = new AdditionTask();
        var random = new Random(4);
        var prompts = Enumerable.Range(0, 6).Select(_ => task.Prompt(random, 1)).ToList();
        var (exact, loss) = TextTaskEvaluator.Score(loaded.Model, task, prompts, 3);
        PuzzleResult atThree = TextTaskEvaluator.Evaluate(loaded.Model, task, prompts, [3], new PuzzleSolveOptions(), batch: 4).Single();
        Assert.Equal(atThree.Accuracy, exact, 6);
        Assert.InRange(loss, 0.01, 10);
    }
}
