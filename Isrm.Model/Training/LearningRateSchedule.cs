namespace Isrm.Model.Training;

/// <summary>
/// The one learning-rate schedule of every training run: linear warm-up to the peak, then cosine decay to
/// <c>floorRatio</c> · peak at the last step. The text trainer decays to its <c>MinLearningRateRatio</c>, a puzzle run to
/// 0.1 (and, with a time budget, by whichever of steps or time has gone further), and the fine-tunes keep the peak
/// (<c>floorRatio</c> 1: warm-up, then constant).
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>
    /// The rate at <paramref name="step"/> of <paramref name="steps"/>; <paramref name="progressAtLeast"/> (0 … 1) moves
    /// the decay on when another budget (wall time) has gone further than the steps.
    /// </summary>
    public static double At(double peak, int step, int warmup, int steps, double floorRatio, double progressAtLeast = 0)
    {
        if (step < warmup) return peak * (step + 1) / warmup;
        double progress = Math.Clamp((double)(step - warmup) / Math.Max(1, steps - warmup), 0, 1);
        progress = Math.Max(progress, Math.Clamp(progressAtLeast, 0, 1));
        double floor = peak * floorRatio;
        return floor + (peak - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>The text trainer's rate at <paramref name="step"/>.</summary>
    public static double At(TrainingOptions options, int step) =>
        At(options.LearningRate, step, options.WarmupSteps, options.Steps, options.MinLearningRateRatio);
}
