namespace Isrm.Tests.Web;

/// <summary>Real random-initialised checkpoints saved with the model library's own API, for the web tests.</summary>
internal static class TinyCheckpoints
{
    /// <summary>Saves a tiny model under <paramref name="root"/>/<paramref name="name"/>.</summary>
    public static void Save(string root, string name, int seed = 7)
    {
        using var model = TinyModels.Create(TinyModels.Config() with { MaxContext = 128 }, seed);
        Checkpoint.Save(Path.Combine(root, name), model, new ByteTokenizer(), new CheckpointMetadata
        {
            Command = "web test fixture", Corpus = "none (random init)", Step = 0, TokensSeen = 0,
        });
    }

    /// <summary>A checkpoints root with two real tiny models ("tiny", "tiny2") and a truncated one.</summary>
    public static TempCheckpointsRoot Folder()
    {
        var folder = new TempCheckpointsRoot();
        Save(folder.Root, "tiny", seed: 7);
        Save(folder.Root, "tiny2", seed: 11);
        Save(folder.Root, "truncated", seed: 3);
        string weights = Path.Combine(folder.Root, "truncated", Checkpoint.WeightsFile);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);
        return folder;
    }
}
