namespace Isrm.Web.Hubs;

/// <summary>What <c>Generate</c> accepts; every field but the prompt has a default.</summary>
public sealed class GenerateRequestDto
{
    public string Prompt { get; set; } = "";
    /// <summary>Checkpoint folder name; empty = the configured default.</summary>
    public string? Checkpoint { get; set; }
    public StepCount K { get; set; } = StepCount.Of(8);
    public int MaxTokens { get; set; } = 32;
    /// <summary>0 = greedy; null or NaN is refused (a JavaScript NaN arrives as null).</summary>
    public double? Temperature { get; set; } = 0.8;
    public int TopK { get; set; } = 40;
    public double? TopP { get; set; } = 0.95;
    public long Seed { get; set; } = 1;
    /// <summary>Attach the latent state vector to each step (for the PCA view); large, so off by default.</summary>
    public bool IncludeStates { get; set; }
}

/// <summary>One row of <c>ListCheckpoints</c>; an unusable checkpoint carries its error sentence.</summary>
public sealed record CheckpointListing(
    string Name, string Family, long ParameterCount, string TrainingSummary, bool Usable, string? Error);

/// <summary>One candidate token and its probability.</summary>
public sealed record TopToken(string Token, double Prob);

/// <summary>A streamed event; <see cref="Kind"/> is <c>step</c>, <c>token</c> or <c>done</c>.</summary>
public abstract record RefinementFrame
{
    public abstract string Kind { get; }
}

/// <summary>One refinement step of the token being generated. Non-finite metrics are sent as null.</summary>
public sealed record StepFrame(
    int TokenIndex,
    int Step,
    IReadOnlyList<TopToken> TopTokens,
    double? Confidence,
    double? Entropy,
    double? Delta,
    double? Residual,
    double? KlToPrevious,
    double? Alpha,
    double? HaltProbability,
    double ElapsedMs,
    float[]? State = null) : RefinementFrame
{
    public override string Kind => "step";
}

/// <summary>The token chosen at <see cref="TokenIndex"/> after <see cref="StepsUsed"/> steps.</summary>
public sealed record TokenFrame(int TokenIndex, string Text, int StepsUsed) : RefinementFrame
{
    public override string Kind => "token";
}

/// <summary>
/// End of a generation; <see cref="StopReason"/> is <c>max-tokens</c>, <c>eos</c> or <c>cancelled</c> (and, for
/// watchers only, <c>error</c> when the request failed).
/// </summary>
public sealed record DoneFrame(int Tokens, double ElapsedMs, string StopReason) : RefinementFrame
{
    public override string Kind => "done";
}

/// <summary>What the server may call on a connected client.</summary>
public interface IRefinementHubClient
{
    /// <summary>The caller's request waits behind <paramref name="ahead"/> others for the same checkpoint.</summary>
    Task Queued(int ahead);

    /// <summary>Sent to a <c>Generate</c> caller before its first frame: the id others pass to <c>Watch</c>.</summary>
    Task Started(string generationId);

    /// <summary>A frame (<c>step</c>, <c>token</c> or <c>done</c>) of a generation this connection watches.</summary>
    Task WatchedFrame(string generationId, object frame);
}
