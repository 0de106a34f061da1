namespace Isrm.Research.Commands;

/// <summary>
/// The size of the small model that <c>recall</c> and <c>compress-e2e</c> train from scratch: the five options are
/// declared once, with each command's own defaults for the recurrent state (its pairs and slots).
/// </summary>
internal sealed class ModelShapeOptions(int syncPairs, int memorySlots, string pairsNote = "")
{
    public Option<int> Width { get; } = CliOptions.Int("--width", "Model width", 1, 1_000_000, 64, false);
    public Option<int> Layers { get; } = CliOptions.Int("--layers", "Layers", 1, 1_000_000, 1, false);
    public Option<int> Neurons { get; } = CliOptions.Int("--neurons", "rlm: neurons", 1, 1_000_000, 64, false);
    public Option<int> Pairs { get; } = CliOptions.Int("--sync-pairs", "rlm: synchronised pairs" + pairsNote, 1, 1_000_000, syncPairs, false);
    public Option<int> Slots { get; } = CliOptions.Int("--memory-slots", "rlt, gated-rlt: memory slots", 1, 1_000_000, memorySlots, false);
}
