namespace Isrm.Web.Options;

/// <summary>How the model service runs requests (section <c>Isrm:Model</c>).</summary>
public sealed class ModelServiceOptions
{
    public const string Section = "Isrm:Model";

    /// <summary>Checkpoints kept loaded at once; the least recently used one is unloaded beyond this.</summary>
    public int MaxLoadedModels { get; set; } = 2;

    /// <summary>Requests allowed to wait per model behind the running ones; more are answered "busy" at once.</summary>
    public int QueueCapacity { get; set; } = 4;

    /// <summary>
    /// Requests refined together per checkpoint (continuous batching): each runs on its own thread and their
    /// refinement steps are joined into one batched step; more wait in the queue. 1 runs one request at a time.
    /// </summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>cpu or cuda.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>TorchSharp intra-op threads on the model thread (the machine is shared: keep it small).</summary>
    public int TorchThreads { get; set; } = 1;

    /// <summary>Largest maxTokens a request may ask for.</summary>
    public int MaxTokensLimit { get; set; } = 512;

    /// <summary>Largest K a request may ask for; also the hard cap of K = ∞ (<c>Isrm:Model:MaxK</c>).</summary>
    public int MaxK { get; set; } = Isrm.Model.Refinement.RefinementDepth.DefaultCap;

    /// <summary>The earlier name of <see cref="MaxK"/>, still read: when set, it is MaxK (start-up says so once).</summary>
    public int? MaxLoops { get; set; }

    /// <summary>
    /// Longest prompt, in tokens, counted as UTF-8 bytes: the byte and byte-level BPE tokenizers never make more tokens
    /// than bytes, so the count is exact for byte checkpoints and errs on the strict side for BPE ones.
    /// </summary>
    public int MaxPromptTokens { get; set; } = 4096;

    /// <summary>Generations running or queued at once over all checkpoints; more are answered "busy" at once.</summary>
    public int MaxConcurrentGenerations { get; set; } = 8;
}
