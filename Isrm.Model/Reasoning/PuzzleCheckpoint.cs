namespace Isrm.Model.Reasoning;

/// <summary>A loaded puzzle checkpoint: the network (on its device, in eval mode) and how it was made.</summary>
public sealed record LoadedPuzzleCheckpoint(string Name, string Directory, PuzzleNetwork Network, CheckpointMetadata Metadata) : ILoadedNetwork
{
    public PuzzleNetConfig Config => Network.Config;
    public string Task => Config.Task;
    IStepNetwork ILoadedNetwork.Network => Network;
    public void Dispose() => Network.Dispose();
}

/// <summary>
/// Puzzle checkpoints use the text checkpoints' folder contract (model.bin, config.json, metadata.json, atomic save,
/// SHA-256 of the weights); config.json holds a <see cref="PuzzleNetConfig"/> whose "kind" is "puzzle".
/// </summary>
public static class PuzzleCheckpoint
{
    public const string Kind = "puzzle";
    public const string OptimizerFile = "optimizer.bin";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>True when <paramref name="directory"/> holds a puzzle checkpoint's config (cheap; no weights read).</summary>
    public static bool IsPuzzle(string directory)
    {
        string path = Path.Combine(directory, Checkpoint.ConfigFile);
        if (!File.Exists(path)) return false;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("kind", out JsonElement kind) && kind.GetString() == Kind;
        }
        catch (JsonException) { return false; }
    }

    /// <summary>Config and metadata without weights; a folder that is not a usable puzzle checkpoint is one sentence.</summary>
    public static (PuzzleNetConfig Config, CheckpointMetadata Metadata) Inspect(string directory)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        if (!System.IO.Directory.Exists(directory)) throw new CheckpointException($"Checkpoint folder '{directory}' does not exist.");
        string configPath = Path.Combine(directory, Checkpoint.ConfigFile), metadataPath = Path.Combine(directory, Checkpoint.MetadataFile);
        if (!File.Exists(configPath) || !File.Exists(metadataPath))
            throw new CheckpointException($"'{directory}' is not a checkpoint: it lacks {Checkpoint.ConfigFile} or {Checkpoint.MetadataFile}.");
        if (!IsPuzzle(directory)) throw new CheckpointException($"Checkpoint '{name}' is not a puzzle checkpoint (its config.json has no \"kind\": \"puzzle\").");
        try
        {
            var config = PuzzleNetConfig.FromJson(File.ReadAllText(configPath));
            var metadata = JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllText(metadataPath), Json) ?? throw new JsonException("empty");
            string weights = Path.Combine(directory, Checkpoint.WeightsFile);
            if (!File.Exists(weights)) throw new CheckpointException($"Checkpoint '{name}' has no {Checkpoint.WeightsFile}.");
            if (new FileInfo(weights).Length != metadata.WeightsBytes)
                throw new CheckpointException($"Checkpoint '{name}' is truncated: {Checkpoint.WeightsFile} has {new FileInfo(weights).Length:N0} bytes, expected {metadata.WeightsBytes:N0}.");
            return (config, metadata);
        }
        catch (Exception e) when (e is JsonException or PuzzleFormatException or NotSupportedException)
        {
            throw new CheckpointException($"Checkpoint '{name}' has an unreadable {Checkpoint.ConfigFile} or {Checkpoint.MetadataFile} ({e.Message}).", e);
        }
    }

    /// <summary>Loads the network onto <paramref name="device"/> in eval mode; call on the thread that will use it.</summary>
    public static LoadedPuzzleCheckpoint Load(string directory, Device? device = null)
    {
        var (config, metadata) = Inspect(directory);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        string weights = Path.Combine(directory, Checkpoint.WeightsFile);
        if (Sha256(weights) != metadata.WeightsSha256)
            throw new CheckpointException($"Checkpoint '{name}' is corrupt: {Checkpoint.WeightsFile} does not match its recorded SHA-256.");
        var network = PuzzleNetwork.Create(config);
        try { network.load(weights); }
        catch (Exception e)
        {
            network.Dispose();
            throw new CheckpointException($"Checkpoint '{name}' has weights that do not fit its config.json ({e.Message}).", e);
        }
        if (device is not null) network.to(device);
        network.eval();
        return new LoadedPuzzleCheckpoint(name, Path.GetFullPath(directory), network, metadata);
    }

    /// <summary>Writes weights, config, metadata (and optionally more files) into a temporary folder, then swaps it in.</summary>
    public static void Save(string directory, PuzzleNetwork network, CheckpointMetadata metadata, Action<string>? writeExtraFiles = null)
    {
        string full = Path.GetFullPath(directory), parent = Path.GetDirectoryName(full)!;
        System.IO.Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            string weights = Path.Combine(temp, Checkpoint.WeightsFile);
            network.save(weights);
            var complete = metadata with
            {
                ParameterCount = network.ParameterCount, WeightsBytes = new FileInfo(weights).Length, WeightsSha256 = Sha256(weights),
            };
            File.WriteAllText(Path.Combine(temp, Checkpoint.ConfigFile), network.Config.ToJson());
            File.WriteAllText(Path.Combine(temp, Checkpoint.MetadataFile), JsonSerializer.Serialize(complete, Json));
            writeExtraFiles?.Invoke(temp);
            // Files a person added to the folder (a model card, results) survive a re-save.
            if (System.IO.Directory.Exists(full))
                foreach (string file in System.IO.Directory.GetFiles(full))
                {
                    string target = Path.Combine(temp, Path.GetFileName(file));
                    if (!File.Exists(target)) File.Copy(file, target);
                }
            string? old = null;
            if (System.IO.Directory.Exists(full))
            {
                old = Path.Combine(parent, $".{Path.GetFileName(full)}.old-{Guid.NewGuid():N}");
                System.IO.Directory.Move(full, old);
            }
            System.IO.Directory.Move(temp, full);
            if (old is not null) System.IO.Directory.Delete(old, recursive: true);
        }
        catch
        {
            if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Writes the network's weights as <c>model.safetensors</c> (state-dict names): beside model.bin, or, with
    /// <paramref name="outDirectory"/>, into a copy of the whole checkpoint folder. Returns the path written.
    /// </summary>
    public static string Export(string directory, string? outDirectory)
    {
        using LoadedPuzzleCheckpoint loaded = Load(directory);
        IReadOnlyList<NamedTensor> tensors = SafeTensorWeights.From(loaded.Network);
        var fileMetadata = new Dictionary<string, string> { ["format"] = "pt", ["isrm.kind"] = Kind, ["isrm.task"] = loaded.Config.Task };
        string source = Path.GetFullPath(directory);
        string target = outDirectory is null ? source : Path.GetFullPath(outDirectory);
        var metadata = loaded.Metadata;
        Save(target, loaded.Network, metadata, folder =>
        {
            string weights = Path.Combine(folder, Checkpoint.SafeTensorsFile);
            SafeTensors.Write(weights, tensors, fileMetadata);
            foreach (string file in System.IO.Directory.GetFiles(source))
            {
                string copy = Path.Combine(folder, Path.GetFileName(file));
                if (!File.Exists(copy) && Path.GetFileName(file) != Checkpoint.SafeTensorsFile) File.Copy(file, copy);
            }
        });
        return Path.Combine(target, Checkpoint.SafeTensorsFile);
    }

    /// <summary>Reads <c>model.safetensors</c> + a puzzle <c>config.json</c> from <paramref name="source"/> into a checkpoint folder.</summary>
    public static (PuzzleNetConfig Config, long Parameters) Import(string source, string outDirectory, string command)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(source));
        string weights = Path.Combine(source, Checkpoint.SafeTensorsFile);
        if (!File.Exists(weights)) throw new CheckpointException($"'{source}' has no {Checkpoint.SafeTensorsFile} beside its {Checkpoint.ConfigFile}.");
        PuzzleNetConfig config;
        try { config = PuzzleNetConfig.FromJson(File.ReadAllText(Path.Combine(source, Checkpoint.ConfigFile))); }
        catch (Exception e) when (e is JsonException or PuzzleFormatException or NotSupportedException)
        {
            throw new CheckpointException($"'{name}' has an unreadable {Checkpoint.ConfigFile} ({e.Message}).", e);
        }
        CheckpointMetadata metadata = new();
        string metadataPath = Path.Combine(source, Checkpoint.MetadataFile);
        if (File.Exists(metadataPath))
        {
            try { metadata = JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllText(metadataPath), Json) ?? new(); }
            catch (JsonException e) { throw new CheckpointException($"'{name}' has an unreadable {Checkpoint.MetadataFile} ({e.Message}).", e); }
        }
        using PuzzleNetwork network = PuzzleNetwork.Create(config);
        SafeTensorWeights.CopyInto(network, Checkpoint.ReadSafeTensors(weights, name), name);
        var notes = new Dictionary<string, string>(metadata.Notes) { ["importedFrom"] = Path.GetFullPath(weights), ["importCommand"] = command };
        Save(outDirectory, network, metadata with { Notes = notes, Command = metadata.Command.Length > 0 ? metadata.Command : command });
        return (config, network.ParameterCount);
    }

    private static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
