namespace Isrm.Model.Checkpoints;

/// <summary>
/// Moves weights between our <c>model.bin</c> and safetensors (docs/checkpoints.md): export for PyTorch and other
/// tools, import of a <c>model.safetensors</c> + <c>config.json</c> made elsewhere (e.g. trained on by
/// <c>reference/isrm_torch.py</c>). Every write is atomic and records the file's SHA-256.
/// </summary>
public static class CheckpointExchange
{
    /// <summary>
    /// Writes <c>model.safetensors</c> for the checkpoint in <paramref name="directory"/>. With no
    /// <paramref name="outDirectory"/> (or the same folder) it goes beside <c>model.bin</c> and metadata.json records
    /// its hash; otherwise <paramref name="outDirectory"/> becomes a whole checkpoint folder with safetensors instead of
    /// model.bin. Call on a model thread. Returns the path written.
    /// </summary>
    public static string Export(string directory, string? outDirectory = null)
    {
        using LoadedCheckpoint loaded = Checkpoint.Load(directory, CPU);
        IReadOnlyList<NamedTensor> tensors = SafeTensorWeights.From(loaded.Model);
        var fileMetadata = new Dictionary<string, string> { ["format"] = "pt", ["isrm.family"] = loaded.Info.Family };
        string source = Path.GetFullPath(directory);
        bool inPlace = outDirectory is null || Path.GetFullPath(outDirectory) == source;
        if (inPlace)
        {
            string target = Path.Combine(source, Checkpoint.SafeTensorsFile);
            string temp = target + $".tmp-{Guid.NewGuid():N}";
            SafeTensors.Write(temp, tensors, fileMetadata);
            CheckpointMetadata recorded = Record(loaded.Info.Metadata, temp);
            File.Move(temp, target, overwrite: true);
            ReplaceFile(Path.Combine(source, Checkpoint.MetadataFile), path => Checkpoint.WriteJson(path, recorded));
            return target;
        }
        string full = Path.GetFullPath(outDirectory!);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string folder = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string weights = Path.Combine(folder, Checkpoint.SafeTensorsFile);
            SafeTensors.Write(weights, tensors, fileMetadata);
            CheckpointMetadata metadata = Record(WithContext(loaded.Info.Metadata, source), weights) with { WeightsSha256 = "", WeightsBytes = 0 };
            File.WriteAllText(Path.Combine(folder, Checkpoint.ConfigFile), loaded.Info.Config.ToJson());
            Checkpoint.WriteJson(Path.Combine(folder, Checkpoint.MetadataFile), metadata);
            loaded.Tokenizer.Save(folder);
            // The model card and the run's document split travel with the weights: evaluation needs the split.
            foreach (string file in new[] { "README.md", CheckpointMetadata.SplitFile })
                if (File.Exists(Path.Combine(source, file))) File.Copy(Path.Combine(source, file), Path.Combine(folder, file));
            Checkpoint.Replace(full, folder);
        }
        catch
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            throw;
        }
        return Path.Combine(full, Checkpoint.SafeTensorsFile);
    }

    /// <summary>
    /// Reads <c>model.safetensors</c> and <c>config.json</c> from <paramref name="sourceDirectory"/> (metadata.json and
    /// a tokenizer are used when present; without a tokenizer a 256-token vocabulary means bytes) and saves a
    /// <c>model.bin</c> checkpoint to <paramref name="outDirectory"/>. Call on a model thread.
    /// </summary>
    public static CheckpointInfo Import(string sourceDirectory, string outDirectory, string command)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(sourceDirectory));
        string weights = Path.Combine(sourceDirectory, Checkpoint.SafeTensorsFile);
        string configPath = Path.Combine(sourceDirectory, Checkpoint.ConfigFile);
        if (!File.Exists(weights) || !File.Exists(configPath))
            throw new CheckpointException($"'{sourceDirectory}' has no {Checkpoint.SafeTensorsFile} with a {Checkpoint.ConfigFile} beside it.");
        IsrmConfig config;
        try { config = IsrmConfig.FromJson(File.ReadAllText(configPath)); }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new CheckpointException($"'{sourceDirectory}' has an unreadable {Checkpoint.ConfigFile} ({e.Message}).", e);
        }
        CheckpointMetadata metadata = ReadMetadata(sourceDirectory, name);
        if (metadata.SafetensorsSha256.Length > 0 && Checkpoint.Sha256(weights) != metadata.SafetensorsSha256)
            throw new CheckpointException($"'{name}' has a {Checkpoint.SafeTensorsFile} that does not match the SHA-256 its {Checkpoint.MetadataFile} records.");
        ITextTokenizer tokenizer = ReadTokenizer(sourceDirectory, name, config);
        using var model = new IsrmModel(config);
        SafeTensorWeights.CopyInto(model, Checkpoint.ReadSafeTensors(weights, name), name);
        var notes = new Dictionary<string, string>(metadata.Notes) { ["importedFrom"] = Path.GetFullPath(weights), ["importCommand"] = command };
        string split = Path.Combine(sourceDirectory, CheckpointMetadata.SplitFile);
        Checkpoint.Save(outDirectory, model, tokenizer, metadata with { Notes = notes, Command = metadata.Command.Length > 0 ? metadata.Command : command },
            folder => { if (File.Exists(split)) File.Copy(split, Path.Combine(folder, CheckpointMetadata.SplitFile)); });
        return Checkpoint.Inspect(outDirectory);
    }

    /// <summary>The metadata with the training context recorded (read from the run's trainer.json when older saves lack it).</summary>
    private static CheckpointMetadata WithContext(CheckpointMetadata metadata, string directory)
    {
        if (metadata.Notes.ContainsKey(CheckpointMetadata.TrainingContextNote)) return metadata;
        string state = Path.Combine(directory, "trainer.json");
        if (!File.Exists(state)) return metadata;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(state));
            if (!doc.RootElement.TryGetProperty("options", out JsonElement options) || !options.TryGetProperty("context", out JsonElement context)) return metadata;
            return metadata with { Notes = new Dictionary<string, string>(metadata.Notes) { [CheckpointMetadata.TrainingContextNote] = context.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return metadata; }
    }

    private static CheckpointMetadata ReadMetadata(string directory, string name)
    {
        string path = Path.Combine(directory, Checkpoint.MetadataFile);
        if (!File.Exists(path)) return new CheckpointMetadata();
        try
        {
            return JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase })
                ?? new CheckpointMetadata();
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"'{name}' has an unreadable {Checkpoint.MetadataFile} ({e.Message}).", e);
        }
    }

    private static ITextTokenizer ReadTokenizer(string directory, string name, IsrmConfig config)
    {
        if (!File.Exists(Path.Combine(directory, TokenizerStore.FileName)))
            return config.VocabSize == 256 ? new ByteTokenizer()
                : throw new CheckpointException($"'{name}' has no {TokenizerStore.FileName} and a vocabulary of {config.VocabSize}, which is not bytes; copy the tokenizer files beside it.");
        try { return TokenizerStore.Load(directory); }
        catch (Exception e) when (e is TokenizerException or InvalidDataException or IOException or JsonException)
        {
            throw new CheckpointException($"'{name}' has no usable tokenizer ({e.Message}).", e);
        }
    }

    private static CheckpointMetadata Record(CheckpointMetadata metadata, string safetensors) => metadata with
    {
        SafetensorsSha256 = Checkpoint.Sha256(safetensors),
        SafetensorsBytes = new FileInfo(safetensors).Length,
    };

    private static void ReplaceFile(string path, Action<string> write)
    {
        string temp = path + $".tmp-{Guid.NewGuid():N}";
        write(temp);
        File.Move(temp, path, overwrite: true);
    }
}
