namespace Isrm.Model.Checkpoints;

/// <summary>
/// A checkpoint is a folder: <c>model.bin</c> (TorchSharp's weights) or <c>model.safetensors</c> (the same weights in
/// the safetensors format, <see cref="SafeTensorWeights"/>), <c>config.json</c> (every model option),
/// <c>metadata.json</c> (how it was made, with the weights' SHA-256) and the tokenizer's files. Writes are atomic
/// (temporary folder + rename).
/// </summary>
public static class Checkpoint
{
    public const string WeightsFile = "model.bin";
    public const string SafeTensorsFile = "model.safetensors";
    public const string ConfigFile = "config.json";
    public const string MetadataFile = "metadata.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Reads config and metadata without loading weights; throws <see cref="CheckpointException"/> if unusable.</summary>
    public static CheckpointInfo Inspect(string directory)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        RecoverInterruptedSave(Path.GetFullPath(directory));
        if (!Directory.Exists(directory))
            throw new CheckpointException($"Checkpoint folder '{directory}' does not exist.");
        string configPath = Path.Combine(directory, ConfigFile), metadataPath = Path.Combine(directory, MetadataFile);
        if (!File.Exists(configPath) || !File.Exists(metadataPath))
            throw new CheckpointException($"'{directory}' is not a checkpoint: it lacks {ConfigFile} or {MetadataFile}.");
        if (Reasoning.PuzzleCheckpoint.IsPuzzle(directory))
            throw new CheckpointException($"Checkpoint '{name}' is a puzzle checkpoint, which 'isrm solve' runs ('isrm info', 'export' and 'import' take it too); this command takes text checkpoints.");
        IsrmConfig config;
        CheckpointMetadata metadata;
        try
        {
            config = IsrmConfig.FromJson(File.ReadAllText(configPath));
            metadata = JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllText(metadataPath), Json)
                ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new CheckpointException($"Checkpoint '{name}' has an unreadable {ConfigFile} or {MetadataFile} ({e.Message}).", e);
        }
        var (file, bytes, _) = Weights(directory, name, metadata);
        long actual = new FileInfo(Path.Combine(directory, file)).Length;
        if (actual != bytes)
            throw new CheckpointException($"Checkpoint '{name}' is truncated: {file} has {actual:N0} bytes, expected {bytes:N0}.");
        return new CheckpointInfo(name, Path.GetFullPath(directory), config, metadata);
    }

    /// <summary>
    /// Loads weights and tokenizer onto <paramref name="device"/>; call on the model thread. <paramref name="inference"/>
    /// may change options that have no weights (e.g. the solver) for this load only.
    /// </summary>
    public static LoadedCheckpoint Load(string directory, Device device, Func<IsrmConfig, IsrmConfig>? inference = null)
    {
        CheckpointInfo info = Inspect(directory);
        if (inference is not null) info = info with { Config = inference(info.Config) };
        var (file, _, sha) = Weights(directory, info.Name, info.Metadata);
        string weights = Path.Combine(directory, file);
        if (Sha256(weights) != sha)
            throw new CheckpointException($"Checkpoint '{info.Name}' is corrupt: {file} does not match its recorded SHA-256.");
        ITextTokenizer tokenizer;
        try { tokenizer = TokenizerStore.Load(directory); }
        catch (Exception e) when (e is TokenizerException or InvalidDataException or IOException or JsonException)
        {
            throw new CheckpointException($"Checkpoint '{info.Name}' has no usable tokenizer ({e.Message}).", e);
        }
        var model = new IsrmModel(info.Config);
        try
        {
            if (file == SafeTensorsFile) SafeTensorWeights.CopyInto(model, ReadSafeTensors(weights, info.Name), info.Name);
            else model.load(weights);
        }
        catch (CheckpointException)
        {
            model.Dispose();
            throw;
        }
        catch (Exception e)
        {
            model.Dispose();
            throw new CheckpointException($"Checkpoint '{info.Name}' has weights that do not fit its config.json ({e.Message}).", e);
        }
        model.to(device);
        model.eval();
        model.JoinForInference();   // one q|k|v and one gate|up matmul per layer; train() undoes it
        return new LoadedCheckpoint(info, model, tokenizer);
    }

    /// <summary>Writes a checkpoint atomically: a crash leaves either the previous folder or the new one, never half of one.</summary>
    public static void Save(string directory, IsrmModel model, ITextTokenizer tokenizer, CheckpointMetadata metadata,
        Action<string>? writeExtraFiles = null)
    {
        string full = Path.GetFullPath(directory);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            string weights = Path.Combine(temp, WeightsFile);
            model.save(weights);
            var complete = metadata with
            {
                ParameterCount = model.ParameterCount,
                WeightsBytes = new FileInfo(weights).Length,
                WeightsSha256 = Sha256(weights),
                SafetensorsSha256 = "",   // a saved folder holds model.bin only; export adds safetensors again
                SafetensorsBytes = 0,
            };
            File.WriteAllText(Path.Combine(temp, ConfigFile), model.Config.ToJson());
            File.WriteAllText(Path.Combine(temp, MetadataFile), JsonSerializer.Serialize(complete, Json));
            tokenizer.Save(temp);
            writeExtraFiles?.Invoke(temp);
            Replace(full, temp);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    // Swap folders with renames only; the old folder is removed after the new one is in place. Files a person added
    // to the folder (notes, results, a model card) are not the checkpoint's: they move into the new folder first.
    internal static void Replace(string target, string temp)
    {
        string? old = null;
        if (Directory.Exists(target))
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(target))
            {
                string kept = Path.Combine(temp, Path.GetFileName(entry));
                if (File.Exists(kept) || Directory.Exists(kept)) continue;
                if (Directory.Exists(entry)) CopyFolder(entry, kept);
                else File.Copy(entry, kept);
            }
            old = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.old-{Guid.NewGuid():N}");
            Directory.Move(target, old);
        }
        Directory.Move(temp, target);
        if (old is not null) Directory.Delete(old, recursive: true);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string folder in Directory.EnumerateDirectories(from)) CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
    }

    /// <summary>A crash between the two renames of <see cref="Replace"/> leaves only the old folder: put it back.</summary>
    private static void RecoverInterruptedSave(string target)
    {
        string? parent = Path.GetDirectoryName(target);
        if (Directory.Exists(target) || parent is null || !Directory.Exists(parent)) return;
        string? old = Directory.GetDirectories(parent, $".{Path.GetFileName(target)}.old-*").FirstOrDefault();
        if (old is not null) Directory.Move(old, target);
    }

    /// <summary>The weights file a folder holds (model.bin first) with its recorded size and SHA-256.</summary>
    private static (string File, long Bytes, string Sha256) Weights(string directory, string name, CheckpointMetadata metadata)
    {
        if (File.Exists(Path.Combine(directory, WeightsFile))) return (WeightsFile, metadata.WeightsBytes, metadata.WeightsSha256);
        if (!File.Exists(Path.Combine(directory, SafeTensorsFile)))
            throw new CheckpointException($"Checkpoint '{name}' has no {WeightsFile} or {SafeTensorsFile}.");
        if (metadata.SafetensorsSha256.Length == 0)
            throw new CheckpointException($"Checkpoint '{name}' has a {SafeTensorsFile} that its {MetadataFile} does not record; bring it in with 'isrm import'.");
        return (SafeTensorsFile, metadata.SafetensorsBytes, metadata.SafetensorsSha256);
    }

    internal static IReadOnlyList<NamedTensor> ReadSafeTensors(string path, string name)
    {
        try { return SafeTensors.Read(path).Tensors; }
        catch (InvalidDataException e) { throw new CheckpointException($"Checkpoint '{name}' has an unreadable {SafeTensorsFile}: {e.Message}", e); }
    }

    internal static void WriteJson(string path, CheckpointMetadata metadata) => File.WriteAllText(path, JsonSerializer.Serialize(metadata, Json));

    internal static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
