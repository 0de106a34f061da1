namespace Isrm.Model.Training;

/// <summary>
/// Where the trainer's batches come from: windows of a corpus (<see cref="TokenWindows"/>) or generated instances of a
/// text task (<c>Tasks.Text.TextTaskBatches</c>). Draws only from <c>random</c>, seeded by (seed, step), so resume is exact.
/// </summary>
public interface IBatchSource
{
    TrainingBatch Next(int batchSize, Random random, Device device);
}

/// <summary>
/// Inputs and targets (B, T); LossMask (B, T) 1 where a target counts (null = every target); Layout for models that
/// read significance or prompts; Size = the task instances' size when the batch has one (K may be tied to it).
/// </summary>
public sealed record TrainingBatch(Tensor Inputs, Tensor Targets)
{
    public Tensor? LossMask { get; init; }
    public TokenLayout? Layout { get; init; }
    public int? Size { get; init; }
}
