namespace Isrm.Model.Reasoning;

/// <summary>How a puzzle network is trained (saved as <c>training.json</c> so that <c>--resume</c> continues the same run).</summary>
public sealed record PuzzleTrainingOptions
{
    public string Out { get; init; } = "checkpoints/puzzle";
    public List<int> Sizes { get; init; } = [9];
    /// <summary>The task's variants to mix (mazes: generators); saved as "generators" in the training.json of older runs too.</summary>
    public List<string> Generators { get; init; } = [.. PuzzleTasks.Default.TrainingVariants];
    public int Steps { get; init; } = 2000;
    public int Batch { get; init; } = 32;
    /// <summary>m: training iterations; n ~ U[0, m) steps without gradient, then k ~ U[1, m − n] with it.</summary>
    public int MaxIterations { get; init; } = 30;
    /// <summary>Weight of the progressive loss; 1 − Alpha goes to the loss after m steps with full backpropagation.</summary>
    public double Alpha { get; init; } = 1.0;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 2e-4;
    public int WarmupSteps { get; init; } = 100;
    public double GradientClip { get; init; } = 1.0;
    /// <summary>A random symmetry per batch, for tasks that have one (<see cref="PuzzleTask.Transform"/>: mazes turn and mirror).</summary>
    public bool Augment { get; init; } = true;
    /// <summary>Prefix sums: the longest size drawn grows linearly from the smallest to the largest over this fraction of the steps.</summary>
    public double Curriculum { get; init; }
    public int SaveEvery { get; init; } = 200;
    /// <summary>Stop (and save) after this many minutes of training in total, whatever the step.</summary>
    public double? MaxMinutes { get; init; }
    public int Seed { get; init; } = 1;

    public PuzzleSource Source(PuzzleTask task) =>
        new(task, Sizes, Generators);

    public void Validate(PuzzleTask task)
    {
        Source(task).Validate(new PuzzleLimits());
        if (Steps < 1) throw new PuzzleFormatException("--steps must be at least 1.");
        if (Batch is < 1 or > 4096) throw new PuzzleFormatException("--batch must be between 1 and 4096.");
        if (MaxIterations is < 1 or > 1000) throw new PuzzleFormatException("--max-iters must be between 1 and 1000.");
        if (Alpha is < 0 or > 1) throw new PuzzleFormatException("--alpha must be between 0 and 1.");
        if (!(LearningRate > 0)) throw new PuzzleFormatException("--lr must be positive.");
        if (Curriculum is < 0 or > 1) throw new PuzzleFormatException("--curriculum must be between 0 and 1.");
        if (SaveEvery < 1) throw new PuzzleFormatException("--save-every must be at least 1.");
    }
}

