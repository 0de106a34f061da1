namespace Isrm.Tests.Model.Training;

/// <summary>The auxiliary losses against hand-computed values.</summary>
public class LossTests
{
    private static Tensor S(float v) => tensor(v);

    [Fact]
    public void Monotonic_loss_squares_only_the_increases()
    {
        // Losses 3, 2, 2.5, 1: one rise of 0.5 → 0.25.
        Assert.Equal(0.25f, RefinementLosses.Monotonic([S(3), S(2), S(2.5f), S(1)]).item<float>(), 5);
    }

    [Fact]
    public void Convergence_loss_counts_growing_updates()
    {
        // Deltas 1, 0.5, 1, 0.25: ratios 0.5, 2, 0.25 → relu(ratio − 1) sums to 1.
        Assert.Equal(1f, RefinementLosses.Convergence([S(1), S(0.5f), S(1), S(0.25f)]).item<float>(), 4);
    }

    [Fact]
    public void Ponder_expected_loss_weights_each_step_by_its_halting_probability()
    {
        // λ = 0.5, 0.5, (last takes the rest): p = 0.5, 0.25, 0.25; losses 4, 2, 1 → 2 + 0.5 + 0.25 = 2.75.
        Tensor[] losses = [full(1, 1, 4f), full(1, 1, 2f), full(1, 1, 1f)];
        Tensor[] halts = [full(1, 1, 0.5f), full(1, 1, 0.5f), full(1, 1, 0.9f)];
        Assert.Equal(2.75f, RefinementLosses.PonderExpected(losses, halts).item<float>(), 5);
    }

    [Fact]
    public void Uniform_K_stays_in_range_and_lognormal_K_has_the_asked_mean()
    {
        var random = new Random(1);
        var uniform = new TrainingOptions { KMin = 2, KMax = 5 };
        int[] ks = Enumerable.Range(0, 2000).Select(_ => KSampler.Sample(uniform, random)).ToArray();
        Assert.Equal(2, ks.Min());
        Assert.Equal(5, ks.Max());
        var heavy = new TrainingOptions { KDistribution = KDistribution.Lognormal, KMean = 8, KMin = 1, KMax = 1000 };
        double mean = Enumerable.Range(0, 20000).Average(_ => KSampler.Sample(heavy, random));
        Assert.InRange(mean, 7.5, 8.5);
    }

    [Fact]
    public void A_K_curriculum_grows_the_largest_K_from_k_min_to_k_max()
    {
        var random = new Random(2);
        var options = new TrainingOptions { KMin = 1, KMax = 17, KCurriculumSteps = 100 };
        int MaxAt(int step) => Enumerable.Range(0, 500).Max(_ => KSampler.Sample(options, random, step));
        Assert.Equal(1, MaxAt(0));      // step 0: 1 + 16 · 0.01 rounds to 1
        Assert.Equal(9, MaxAt(49));     // half way: 1 + 16 · 0.5
        Assert.Equal(17, MaxAt(99));    // full range from the end of the curriculum on
        Assert.Equal(17, MaxAt(5000));
        var heavy = options with { KDistribution = KDistribution.Lognormal, KMean = 9, KMax = 1000 };
        double early = Enumerable.Range(0, 20000).Average(_ => KSampler.Sample(heavy, random, 49));
        double late = Enumerable.Range(0, 20000).Average(_ => KSampler.Sample(heavy, random, 200));
        Assert.InRange(early, 4.6, 5.4);   // mean 1 + (9 − 1) · 0.5
        Assert.InRange(late, 8.5, 9.5);
    }

    [Fact]
    public void The_learning_rate_warms_up_then_follows_a_cosine_to_its_floor()
    {
        var options = new TrainingOptions { LearningRate = 1e-3, WarmupSteps = 10, Steps = 110, MinLearningRateRatio = 0.1 };
        Assert.Equal(1e-4, LearningRateSchedule.At(options, 0), 10);
        Assert.Equal(1e-3, LearningRateSchedule.At(options, 10), 10);
        Assert.Equal(0.55e-3, LearningRateSchedule.At(options, 60), 10);
        Assert.Equal(1e-4, LearningRateSchedule.At(options, 110), 10);

        // the same schedule serves the puzzle runs (to 0.1 · lr, moved on by a time budget) and the fine-tunes (constant)
        Assert.Equal(0.55e-3, LearningRateSchedule.At(1e-3, 60, 10, 110, floorRatio: 0.1), 10);
        Assert.Equal(1e-4, LearningRateSchedule.At(1e-3, 20, 10, 110, floorRatio: 0.1, progressAtLeast: 1), 10);
        Assert.Equal(3e-3, LearningRateSchedule.At(3e-3, 5_000, 50, 100_000, floorRatio: 1));
        Assert.Equal(3e-3 * 25 / 50, LearningRateSchedule.At(3e-3, 24, 50, 100_000, floorRatio: 1), 12);
    }
}
