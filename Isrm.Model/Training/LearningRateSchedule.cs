namespace Isrm.Model.Training;

/// <summary>Linear warmup, then cosine decay to MinLearningRateRatio · lr at the last step.</summary>
public static class LearningRateSchedule
{
    public static double At(TrainingOptions options, int step)
    {
        if (step < options.WarmupSteps) return options.LearningRate * (step + 1) / options.WarmupSteps;
        double progress = Math.Clamp((double)(step - options.WarmupSteps) / Math.Max(1, options.Steps - options.WarmupSteps), 0, 1);
        double floor = options.LearningRate * options.MinLearningRateRatio;
        return floor + (options.LearningRate - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
