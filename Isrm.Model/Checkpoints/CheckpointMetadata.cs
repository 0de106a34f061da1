namespace Isrm.Model.Checkpoints;

/// <summary>How a checkpoint was made (<c>metadata.json</c>): command, data, progress and final metrics.</summary>
public sealed record CheckpointMetadata
{
    public string Command { get; init; } = "";
    public string Corpus { get; init; } = "";
    public string CorpusHash { get; init; } = "";
    public string Tokenizer { get; init; } = "";
    /// <summary>The text task the model was trained on (e.g. <c>addition</c>); null for a corpus model.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Task { get; init; }
    public long Step { get; init; }
    public long TokensSeen { get; init; }
    public double Flops { get; init; }
    public long ParameterCount { get; init; }
    /// <summary>SHA-256 of the weights file: a truncated or altered file is caught before TorchSharp reads it.</summary>
    public string WeightsSha256 { get; init; } = "";
    public long WeightsBytes { get; init; }
    /// <summary>SHA-256 and size of <c>model.safetensors</c> when the folder has one (written by <c>isrm export</c>).</summary>
    public string SafetensorsSha256 { get; init; } = "";
    public long SafetensorsBytes { get; init; }
    public DateTime CreatedUtc { get; init; } = DateTime.UtcNow;
    public Dictionary<string, double> Metrics { get; init; } = new();
    /// <summary>Free-form notes (e.g. the validation split), kept as strings.</summary>
    public Dictionary<string, string> Notes { get; init; } = new();

    /// <summary>The note that records the context a text model was trained with (evaluation windows use it).</summary>
    public const string TrainingContextNote = "trainingContext";

    /// <summary>The file beside the weights that records the training / validation documents of a text run.</summary>
    public const string SplitFile = "split.json";
}

/// <summary>What a checkpoint folder holds, read without loading its weights.</summary>
public sealed record CheckpointInfo(string Name, string Directory, IsrmConfig Config, CheckpointMetadata Metadata)
{
    /// <summary>The family as config.json spells it (<c>isrm</c>, <c>gated-rlt</c>, …).</summary>
    public string Family => Config.Family.Kebab();

    /// <summary>The text task config.json names (folders written before it did: metadata.json's), or null for a language model.</summary>
    public string? Task => Config.Task ?? Metadata.Task;

    public long ParameterCount => Metadata.ParameterCount;

    /// <summary>One line: steps, tokens and the final validation loss when known.</summary>
    public string TrainingSummary
    {
        get
        {
            string loss = Metadata.Metrics.TryGetValue("valLoss", out double v) ? $", validation loss {v:F3} nats/token" : "";
            return $"{Metadata.Step:N0} steps, {Metadata.TokensSeen:N0} tokens{loss}";
        }
    }
}
