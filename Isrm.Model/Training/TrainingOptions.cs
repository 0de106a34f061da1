namespace Isrm.Model.Training;

/// <summary>Everything a training run needs besides the model config; saved with every checkpoint for exact resume.</summary>
public sealed record TrainingOptions
{
    public string Corpus { get; init; } = "";
    public string Out { get; init; } = "";
    /// <summary><c>bytes</c>, or a folder holding a trained tokenizer (<c>isrm data tokenizer</c>).</summary>
    public string Tokenizer { get; init; } = "bytes";
    public int Steps { get; init; } = 2000;
    public int BatchSize { get; init; } = 16;
    public int Context { get; init; } = 128;
    public int GradientAccumulation { get; init; } = 1;
    public int Seed { get; init; } = 1;
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>A text task (<c>Tasks.Text.TextTasks</c>, e.g. <c>addition</c>) trained on instead of the corpus; null = the corpus.</summary>
    public string? Task { get; init; }
    /// <summary>Task: instance sizes drawn for the training batches (one size per batch).</summary>
    public int[] TrainSizes { get; init; } = [];
    /// <summary>Task: K of a batch of size s is ceil(s · KPerSize) + a uniform draw from 0 … KExtra (validation: + KExtra).</summary>
    public double KPerSize { get; init; } = 1;
    public int KExtra { get; init; } = 2;

    // Refinement depth per batch
    public int KMin { get; init; } = 1;
    public int KMax { get; init; } = 16;
    public KDistribution KDistribution { get; init; } = KDistribution.Uniform;
    public double KMean { get; init; } = 6;
    /// <summary>Curriculum on K: over the first this-many steps the largest K (and the mean) grow linearly from KMin; 0 = off.</summary>
    public int KCurriculumSteps { get; init; } = 0;
    /// <summary>Backpropagate through only the last this-many steps (truncated backprop); 0 = all steps.</summary>
    public int BackpropSteps { get; init; } = 0;

    // Losses (whitepaper §6); each weight 0 switches its term off
    /// <summary>Cross-entropy at each of the last this-many steps besides the final one (deep supervision); 0 = final only.</summary>
    public int DeepSupervisionSteps { get; init; } = 0;
    public double DeepSupervisionWeight { get; init; } = 1;
    public double MonotonicWeight { get; init; } = 0;
    public double ConvergenceWeight { get; init; } = 0;
    public double PonderWeight { get; init; } = 0;

    // Optimiser
    public double LearningRate { get; init; } = 1e-3;
    public double MinLearningRateRatio { get; init; } = 0.1;
    public int WarmupSteps { get; init; } = 100;
    public double WeightDecay { get; init; } = 0.1;
    public double GradientClip { get; init; } = 1.0;
    /// <summary>Decay of an exponential moving average of the weights, saved as the checkpoint's weights; 0 = none.</summary>
    public double EmaDecay { get; init; } = 0;

    // Bookkeeping
    public int EvalEvery { get; init; } = 200;
    public int EvalWindows { get; init; } = 48;
    /// <summary>K used for validation during training (the final evaluation sweeps K separately).</summary>
    public RefinementDepth EvalK { get; init; } = 8;
    public int SaveEvery { get; init; } = 500;
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; } = 1;
    /// <summary>
    /// <c>fp32</c>, <c>bf16</c> (matmuls in bfloat16 with float32 master weights, <see cref="Runtime.MixedPrecision"/>)
    /// or <c>auto</c> (bf16 where a probe finds it faster here); bf16 falls back to fp32, saying so, where it does not pay.
    /// </summary>
    public string Precision { get; init; } = "fp32";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static TrainingOptions FromJson(string json) => JsonSerializer.Deserialize<TrainingOptions>(json, Json) ?? new();

    /// <summary>Throws <see cref="ArgumentException"/> with one sentence for the first unusable option.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Require(Steps > 0, "--steps must be positive.");
        Require(BatchSize > 0 && Context > 1 && GradientAccumulation > 0, "batch size, context and gradient accumulation must be positive.");
        Require(KMin >= 1 && KMax >= KMin, "--k-min must be at least 1 and no more than --k-max.");
        Require(KMean >= 1, "--k-mean must be at least 1.");
        Require(KCurriculumSteps >= 0, "--k-curriculum must be 0 (off) or a number of steps.");
        Require(BackpropSteps >= 0 && DeepSupervisionSteps >= 0, "--backprop-steps and deep supervision steps must be 0 or more.");
        Require(LearningRate > 0 && WarmupSteps >= 0 && WeightDecay >= 0 && GradientClip > 0, "learning rate, warmup, weight decay and clipping must be sensible (lr > 0, clip > 0).");
        Require(EmaDecay is >= 0 and < 1, "--ema must be in [0, 1): 0 for none, e.g. 0.99.");
        Require(ValidationFraction is > 0 and < 1, "--validation-fraction must be in (0, 1).");
        Require(Precision is "fp32" or "bf16" or "auto", $"--precision must be fp32, bf16 or auto (got '{Precision}').");
        Require(EvalEvery > 0 && SaveEvery > 0 && EvalWindows > 0, "evaluation and save intervals must be positive.");
        EvalK.Checked(RefinementDepth.DefaultCap, "--eval-k");
        Require(Task is null || (TrainSizes.Length > 0 && TrainSizes.All(s => s >= 1)), "--train-sizes must name sizes of 1 or more, e.g. 1-10.");
        Require(KPerSize > 0 && KExtra >= 0, "--k-per-size must be positive and --k-extra 0 or more.");
    }
}

/// <summary>
/// How the refinement depth K of each batch is drawn: <c>uniform</c> in [KMin, KMax], or <c>lognormal</c>:
/// 1 + Poisson(λ), λ ~ LogNormal with mean KMean, capped at KMax (Huginn).
/// </summary>
[JsonConverter(typeof(KebabCaseEnumConverter<KDistribution>))]
public enum KDistribution { Uniform, Lognormal }
