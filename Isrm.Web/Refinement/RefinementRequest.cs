namespace Isrm.Web.Refinement;

/// <summary>What a page or a hub client asks for; every field but the prompt has a default. Checked by <see cref="RequestValidator"/>.</summary>
public sealed class RefinementRequest
{
    public string Prompt { get; set; } = "";
    /// <summary>Checkpoint folder name; empty = the configured default.</summary>
    public string? Checkpoint { get; set; }
    public RefinementDepth K { get; set; } = 8;
    public int MaxTokens { get; set; } = 32;
    /// <summary>0 = greedy; null or NaN is refused (a JavaScript NaN arrives as null).</summary>
    public double? Temperature { get; set; } = 0.8;
    public int TopK { get; set; } = 40;
    public double? TopP { get; set; } = 0.95;
    public long Seed { get; set; } = 1;
    /// <summary>Stop once the reply ends with this text (e.g. "\n" after a task's answer); null = only maxTokens stops.</summary>
    public string? StopText { get; set; }
    /// <summary>Attach the latent state vector to each step (for the PCA view); large, so off by default.</summary>
    public bool IncludeStates { get; set; }
    /// <summary>Change one token's thought after one of its steps and refine on from there (the compare view's right side); null = none.</summary>
    public InterventionRequest? Intervention { get; set; }
    /// <summary>Path independence: refine one token from several starts (the chat's path-independence view); generation ends with it. Null = none.</summary>
    public StartsRequest? Starts { get; set; }
}

/// <summary>
/// One checkpoint folder as the service lists it; an unusable one carries its error sentence. <c>MaxContext</c> is
/// how many tokens the model reads at most (0 = unknown); <c>ByteTokens</c> says one token is one UTF-8 byte, so a
/// page can tell exactly when a prompt is cut; <c>SinglePass</c> says each token is made in one pass, so K does not apply;
/// <c>Task</c> is <c>text</c> for the chat's models, or the puzzle task a network solves (the Puzzles page's).
/// </summary>
public sealed record CheckpointListing(
    string Name, string Family, long ParameterCount, string TrainingSummary, bool Usable, string? Error,
    int MaxContext = 0, bool ByteTokens = false, bool SinglePass = false, string Task = CheckpointTasks.Text)
{
    public bool IsPuzzle => CheckpointTasks.IsPuzzle(Task);
}
