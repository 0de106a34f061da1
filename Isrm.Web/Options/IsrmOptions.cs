namespace Isrm.Web.Options;

/// <summary>Where the web app finds checkpoints (section <c>Isrm</c> of appsettings.json).</summary>
public sealed class CheckpointOptions
{
    public const string Section = "Isrm";

    /// <summary>Folder holding one sub-folder per checkpoint; relative paths are resolved against the content root.</summary>
    public string CheckpointsPath { get; set; } = "../checkpoints";

    /// <summary>Name of the checkpoint the chat opens with.</summary>
    public string DefaultCheckpoint { get; set; } = "isrm-default";
}

/// <summary>How the model service runs requests (section <c>Isrm:Model</c>).</summary>
public sealed class ModelServiceOptions
{
    public const string Section = "Isrm:Model";

    /// <summary>Checkpoints kept loaded at once; the least recently used one is unloaded beyond this.</summary>
    public int MaxLoadedModels { get; set; } = 2;

    /// <summary>Requests allowed to wait per model behind the running one; more are answered "busy" at once.</summary>
    public int QueueCapacity { get; set; } = 4;

    /// <summary>cpu or cuda.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>TorchSharp intra-op threads on the model thread (the machine is shared: keep it small).</summary>
    public int TorchThreads { get; set; } = 1;

    /// <summary>Largest maxTokens a request may ask for.</summary>
    public int MaxTokensLimit { get; set; } = 512;

    /// <summary>Largest K a request may ask for; also the hard cap of K = ∞.</summary>
    public int MaxLoops { get; set; } = Isrm.Model.Refinement.RefinementDepth.DefaultCap;

    /// <summary>
    /// Longest prompt, in tokens, counted as UTF-8 bytes: the byte and byte-level BPE tokenizers never make more tokens
    /// than bytes, so the count is exact for byte checkpoints and errs on the strict side for BPE ones.
    /// </summary>
    public int MaxPromptTokens { get; set; } = 4096;

    /// <summary>Generations running or queued at once over all checkpoints; more are answered "busy" at once.</summary>
    public int MaxConcurrentGenerations { get; set; } = 8;
}

/// <summary>Limits on the SignalR hub's clients (section <c>Isrm:Hub</c>).</summary>
public sealed class HubLimitsOptions
{
    public const string Section = "Isrm:Hub";

    /// <summary>Largest message a client may send; SignalR closes the connection of a client that sends more.</summary>
    public long MaxMessageBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Hub invocations (Generate, ListCheckpoints) one connection may make per minute; 0 = no limit.</summary>
    public int RequestsPerMinute { get; set; } = 60;
}

/// <summary>Where the training page finds runs and reports (section <c>Isrm:Training</c>).</summary>
public sealed class TrainingViewOptions
{
    public const string Section = "Isrm:Training";

    /// <summary>Folder searched (recursively) for <c>metrics.jsonl</c> files written by <c>isrm train</c>.</summary>
    public string RunsPath { get; set; } = "../runs";

    /// <summary>Folder holding <c>scaling.json</c> written by <c>isrm eval</c>.</summary>
    public string ReportsPath { get; set; } = "../reports";

    /// <summary>How often the training page re-reads metrics files while open.</summary>
    public int PollSeconds { get; set; } = 2;
}
