namespace Isrm.Model.Training;

/// <summary>One line of <c>metrics.jsonl</c> and what the progress bar shows. ValLoss is cross-entropy alone, apart from penalties.</summary>
public sealed record TrainingProgress
{
    public int Step { get; init; }
    public int Steps { get; init; }
    /// <summary>Cross-entropy at the final refinement step of the training batch (nats/token).</summary>
    public double TrainLoss { get; init; }
    /// <summary>The optimised total: cross-entropy plus the weighted auxiliary terms.</summary>
    public double TotalLoss { get; init; }
    public double Monotonic { get; init; }
    public double Convergence { get; init; }
    public double Ponder { get; init; }
    public double DeepSupervision { get; init; }
    /// <summary>Validation cross-entropy (nats/token) at EvalK, when evaluated at this step.</summary>
    public double? ValLoss { get; init; }
    /// <summary>Text tasks: exact match on fixed validation instances, by "size@K" (K tied to the size).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, double>? ValExact { get; init; }
    /// <summary>Text tasks: the size of this step's training instances.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Size { get; init; }
    public double Lr { get; init; }
    public int K { get; init; }
    public double GradNorm { get; init; }
    public long Tokens { get; init; }
    public double Flops { get; init; }
    public double ElapsedSec { get; init; }
    public double TokensPerSec { get; init; }
}

/// <summary>How a call to <see cref="Trainer.Run"/> ended.</summary>
public enum TrainingOutcome { Completed, Interrupted, Paused }
