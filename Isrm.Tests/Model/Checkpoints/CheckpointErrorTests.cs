namespace Isrm.Tests.Model.Checkpoints;

/// <summary>A folder that is not a usable checkpoint gives a <see cref="CheckpointException"/> with one clear sentence.</summary>
public class CheckpointErrorTests
{
    /// <summary>Loading <paramref name="directory"/> fails with one short sentence that says each of <paramref name="mustContain"/>.</summary>
    private static void AssertLoadFails(string directory, params string[] mustContain)
    {
        string message = Assert.Throws<CheckpointException>(() => Checkpoint.Load(directory, CPU)).Message;
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain(" at Isrm.", message);
        Assert.EndsWith(".", message);
        Assert.True(message.Length < 300, $"too long for one sentence: {message}");
        foreach (string part in mustContain) Assert.Contains(part, message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A good tiny checkpoint saved in <paramref name="name"/> below <paramref name="folder"/>, for a test to damage.</summary>
    private static string Saved(TempFolder folder, string name)
    {
        string directory = folder.Combine(name);
        TinyModels.SaveCheckpoint(directory);
        return directory;
    }

    [Fact]
    public void A_missing_folder_says_it_does_not_exist()
    {
        using var folder = new TempFolder();
        string missing = folder.Combine("nowhere");
        AssertLoadFails(missing, "does not exist", "nowhere");
    }

    [Fact]
    public void A_truncated_weights_file_says_truncated_with_both_sizes()
    {
        using var folder = new TempFolder();
        string directory = Saved(folder, "cut");
        string weights = Path.Combine(directory, Checkpoint.WeightsFile);
        long size = new FileInfo(weights).Length;
        using (var stream = new FileStream(weights, FileMode.Open)) stream.SetLength(size / 2);

        AssertLoadFails(directory, "truncated", $"{size:N0}", $"{size / 2:N0}");
    }

    [Fact]
    public void Weights_altered_in_place_are_reported_corrupt()
    {
        using var folder = new TempFolder();
        string directory = Saved(folder, "flipped");
        string weights = Path.Combine(directory, Checkpoint.WeightsFile);
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^3] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);

        AssertLoadFails(directory, "corrupt", "SHA-256");
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

        AssertLoadFails(folder.Path, "is not a checkpoint", "config.json");
    }

    [Theory]
    [InlineData("this is { not json")]
    [InlineData("{\"width\": \"wide\"}")]
    [InlineData("{\"noSuchOption\": 3}")]
    [InlineData("{\"width\": 7}")]
    public void A_garbage_config_says_config_json_is_unreadable(string garbage)
    {
        using var folder = new TempFolder();
        string directory = Saved(folder, "garbled");
        File.WriteAllText(Path.Combine(directory, Checkpoint.ConfigFile), garbage);

        AssertLoadFails(directory, "config.json", "garbled");
    }
}
