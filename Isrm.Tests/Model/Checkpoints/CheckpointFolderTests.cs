using Isrm.Model.Reasoning;

namespace Isrm.Tests.Model.Checkpoints;

/// <summary>
/// The one entry to checkpoint folders (issue 24, point 2): every shipped checkpoint, text or puzzle, is described and
/// loaded by the same calls, says its kind, task and network, and gets the same integrity checks.
/// </summary>
public sealed class CheckpointFolderTests
{
    public static TheoryData<string, string, string, string> Shipped() => new()
    {
        { "isrm-default", "text", "language-model", "isrm" },
        { "addition-isrm", "text", "addition", "isrm" },
        { "parity-isrm", "text", "parity", "isrm" },
        { "rlm-small", "text", "language-model", "rlm" },
        { "transformer-equal-steps", "text", "language-model", "transformer" },
        { "mazes-dt-recall", "puzzle", "mazes", "dt-recall" },
        { "prefix-sums-carry", "puzzle", "prefix-sums", "carry" },
    };

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Every_shipped_checkpoint_is_described_and_opened_by_the_one_entry(string name, string kind, string task, string network)
    {
        string dir = Repository.Combine("checkpoints", name);
        CheckpointSummary summary = CheckpointFolder.Describe(dir);
        Assert.Equal((name, kind, task, network), (summary.Name, summary.Kind, summary.Task, summary.Network));
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, Checkpoint.MetadataFile)));
        Assert.Equal(metadata.RootElement.GetProperty("parameterCount").GetInt64(), summary.ParameterCount);
        Assert.Contains(summary.Kind == "puzzle" ? "\"task\"" : "\"family\"", summary.ConfigJson);

        using ILoadedNetwork loaded = CheckpointFolder.Open(dir, CPU);
        Assert.Equal((name, task), (loaded.Name, loaded.Task));
        Assert.Equal(summary.ParameterCount, ((nn.Module)loaded.Network).parameters().Sum(p => p.numel()));
        Assert.Equal(kind == "puzzle", loaded is LoadedPuzzleCheckpoint);
    }

    [Theory]
    [InlineData("prefix-sums-carry")]
    [InlineData("isrm-default")]
    public void A_truncated_or_corrupt_checkpoint_of_either_kind_is_one_sentence(string name)
    {
        using var temp = new TempFolder();
        string copy = temp.Combine(name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(Repository.Combine("checkpoints", name)))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        string weights = Path.Combine(copy, Checkpoint.WeightsFile);

        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;   // same length, other bytes
        File.WriteAllBytes(weights, bytes);
        Assert.Equal(name, CheckpointFolder.Describe(copy).Name);   // its files and length are fine
        var corrupt = Assert.Throws<CheckpointException>(() => CheckpointFolder.Open(copy, CPU).Dispose());
        Assert.Equal($"Checkpoint '{name}' is corrupt: {Checkpoint.WeightsFile} does not match its recorded SHA-256.", corrupt.Message);

        File.WriteAllBytes(weights, bytes[..^10]);
        var truncated = Assert.Throws<CheckpointException>(() => CheckpointFolder.Describe(copy));
        Assert.StartsWith($"Checkpoint '{name}' is truncated: {Checkpoint.WeightsFile} has ", truncated.Message);
    }
}
