namespace Isrm.Tests.Model.Checkpoints;

/// <summary>A folder that is not a usable checkpoint gives a <see cref="CheckpointException"/> with one clear sentence.</summary>
public class CheckpointErrorTests
{
    private static void AssertOneSentence(CheckpointException error, params string[] mustContain)
    {
        string message = error.Message;
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain(" at Isrm.", message);
        Assert.EndsWith(".", message);
        Assert.True(message.Length < 300, $"too long for one sentence: {message}");
        foreach (string part in mustContain) Assert.Contains(part, message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_missing_folder_says_it_does_not_exist()
    {
        using var folder = new TempFolder();
        string missing = folder.Combine("nowhere");
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(missing, CPU));
        AssertOneSentence(error, "does not exist", "nowhere");
    }

    [Fact]
    public void A_truncated_weights_file_says_truncated_with_both_sizes()
    {
        using var folder = new TempFolder();
        string directory = folder.Combine("cut");
        TinyModels.SaveCheckpoint(directory);
        string weights = Path.Combine(directory, Checkpoint.WeightsFile);
        long size = new FileInfo(weights).Length;
        using (var stream = new FileStream(weights, FileMode.Open)) stream.SetLength(size / 2);

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(directory, CPU));
        AssertOneSentence(error, "truncated", $"{size:N0}", $"{size / 2:N0}");
    }

    [Fact]
    public void Weights_altered_in_place_are_reported_corrupt()
    {
        using var folder = new TempFolder();
        string directory = folder.Combine("flipped");
        TinyModels.SaveCheckpoint(directory);
        string weights = Path.Combine(directory, Checkpoint.WeightsFile);
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^3] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(directory, CPU));
        AssertOneSentence(error, "corrupt", "SHA-256");
    }

    [Fact]
    public void A_foreign_folder_of_random_files_is_not_a_checkpoint()
    {
        using var folder = new TempFolder();
        var random = new Random(4);
        for (int i = 0; i < 3; i++)
        {
            byte[] junk = new byte[100 + i * 50];
            random.NextBytes(junk);
            File.WriteAllBytes(folder.Combine($"file{i}.dat"), junk);
        }
        File.WriteAllText(folder.Combine("notes.txt"), "shopping list");

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(folder.Path, CPU));
        AssertOneSentence(error, "is not a checkpoint", "config.json");
    }

    [Theory]
    [InlineData("this is { not json")]
    [InlineData("{\"width\": \"wide\"}")]
    [InlineData("{\"noSuchOption\": 3}")]
    [InlineData("{\"width\": 7}")]
    public void A_garbage_config_says_config_json_is_unreadable(string garbage)
    {
        using var folder = new TempFolder();
        string directory = folder.Combine("garbled");
        TinyModels.SaveCheckpoint(directory);
        File.WriteAllText(Path.Combine(directory, Checkpoint.ConfigFile), garbage);

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(directory, CPU));
        AssertOneSentence(error, "config.json", "garbled");
    }
}
