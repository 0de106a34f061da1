namespace Isrm.Tests.Research;

/// <summary>The recall task is seeded and well formed; every family trains on it; curvature is right on known paths.</summary>
public class AssociativeRecallTests
{
    [Fact]
    public void A_sequence_lists_distinct_keys_with_values_then_asks_for_some_of_them()
    {
        var task = new AssociativeRecall(Keys: 32, Values: 8, Queries: 3);
        var (inputs, targets) = task.Sample(pairs: 5, batch: 2, new Random(4));
        var (again, _) = task.Sample(pairs: 5, batch: 2, new Random(4));
        Assert.Equal(inputs, again);
        int t = task.Length(5) - 1;                                            // 10 + 6 tokens, 15 inputs
        Assert.Equal(15, t);
        for (int b = 0; b < 2; b++)
        {
            long[] row = inputs[(b * t)..((b + 1) * t)], answer = targets[(b * t)..((b + 1) * t)];
            long[] keys = Enumerable.Range(0, 5).Select(i => row[2 * i]).ToArray();
            Assert.Equal(5, keys.Distinct().Count());
            Assert.All(keys, k => Assert.InRange(k, 0, 31));
            var value = Enumerable.Range(0, 5).ToDictionary(i => row[2 * i], i => row[2 * i + 1]);
            var scored = Enumerable.Range(0, t).Where(i => answer[i] != AssociativeRecall.Ignore).ToArray();
            Assert.Equal([10, 12, 14], scored);                                 // each query, predicting its value
            Assert.All(scored, i => Assert.Equal(value[row[i]], answer[i]));
        }
    }

    [Theory]
    [InlineData("rlm", 1)]
    [InlineData("rlt", 2)]
    [InlineData("transformer", 1)]
    public void A_few_training_steps_run_for_every_family_and_accuracy_is_a_fraction(string family, int ticks)
    {
        torch.set_num_threads(1);
        var task = new AssociativeRecall(Keys: 16, Values: 8, Queries: 4);
        torch.manual_seed(2);
        var config = RecurrentModels.Config(family) with { VocabSize = task.VocabSize, Ticks = ticks, StepEmbedding = StepEmbeddingKind.None, HaltingHead = false };
        using var model = new IsrmModel(config);
        var outcome = new RecallTraining([2, 4], Steps: 3, Minutes: 5, Batch: 4, Warmup: 1).Run(model, task);
        Assert.Equal(3, outcome.Steps);
        Assert.True(double.IsFinite(outcome.FinalLoss) && outcome.FinalLoss > 0);
        double accuracy = task.Accuracy(model, pairs: 4, sequences: 8, seed: 3, loops: ticks);
        Assert.InRange(accuracy, 0, 1);
    }

    [Fact]
    public void A_straight_path_turns_0_degrees_and_a_square_wave_90()
    {
        using var scope = NewDisposeScope();
        Tensor line = arange(0, 5, dtype: float32).unsqueeze(-1) * tensor(new[] { 1f, 2f });            // (5, 2)
        var straight = TrajectoryCurvature.Of(line.unsqueeze(0));
        Assert.True(straight.TurningDegrees < 0.1 && Math.Abs(straight.Tortuosity!.Value - 1) < 1e-4);
        Tensor stairs = tensor(new float[] { 0, 0, 1, 0, 1, 1, 2, 1, 2, 2 }, new long[] { 1, 5, 2 });   // right, up, right, up
        var turning = TrajectoryCurvature.Of(stairs);
        Assert.Equal(90, turning.TurningDegrees!.Value, 3);
        Assert.Equal(4 / Math.Sqrt(8), turning.Tortuosity!.Value, 4);
        Assert.Null(TrajectoryCurvature.Of(line.narrow(0, 0, 2).unsqueeze(0)).TurningDegrees);
    }
}
