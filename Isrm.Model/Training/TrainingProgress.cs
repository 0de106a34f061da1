namespace Isrm.Model.Training;

/// <summary>
/// One line of <c>metrics.jsonl</c> and what the progress bar shows, for every run (<see cref="TrainingLoop"/>). ValLoss is
/// cross-entropy alone, apart from penalties. A puzzle run's Tokens count training instances, K is the steps refined
/// (n + k of the progressive loss), and it adds cell accuracy and the share solved.
/// </summary>
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
    /// <summary>Puzzles: the share of cells right at the last step of this batch.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? Accuracy { get; init; }
    /// <summary>Puzzles: the share of this batch's instances with every cell right.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? Solved { get; init; }
    public double Lr { get; init; }
    public int K { get; init; }
    public double GradNorm { get; init; }
    public long Tokens { get; init; }
    public double Flops { get; init; }
    public double ElapsedSec { get; init; }
    public double TokensPerSec { get; init; }
    /// <summary>The run was saved after this step (for progress output; not written to metrics.jsonl).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Saved { get; init; }
}

/// <summary>
/// How a call to <see cref="TrainingLoop.Run"/> ended: a spent time budget is Completed; Diverged is a non-finite loss
/// (or gradients that stayed non-finite), with the last finite weights saved.
/// </summary>
public enum TrainingOutcome { Completed, Interrupted, Paused, Diverged }
