namespace Isrm.Model.Generation;

/// <summary>One candidate token with its probability at a refinement step.</summary>
public sealed record TokenProbability(string Token, int TokenId, float Prob);

/// <summary>What one generation run emits, in order: steps of token 0, token 0, steps of token 1, token 1, …, done.</summary>
public abstract record GenerationEvent(string Kind);

/// <summary>One refinement step of the token being generated (the last position).</summary>
public sealed record StepEvent(
    int TokenIndex,
    int Step,
    IReadOnlyList<TokenProbability> TopTokens,
    float Confidence,
    float Entropy,
    float Delta,
    float Residual,
    float KlToPrevious,
    float Alpha,
    float HaltProbability,
    double ElapsedMs,
    float[]? State = null) : GenerationEvent("step")
{
    /// <summary>Path independence (<see cref="GenerationRequest.Starts"/>): every start's run at this step; null otherwise.</summary>
    public Refinement.PathStep? Paths { get; init; }
}

/// <summary>
/// Not an event of the generation: the run waits for its next refinement step, which a <see cref="StepScheduler"/>
/// computes together with other runs' steps. Only a scheduler's runs yield it; it is never sent to a client.
/// </summary>
public sealed record StepWaitEvent() : GenerationEvent("wait")
{
    public static StepWaitEvent Instance { get; } = new();
}

/// <summary>A token was chosen after <see cref="StepsUsed"/> refinement steps.</summary>
public sealed record TokenEvent(int TokenIndex, string Text, int TokenId, int StepsUsed) : GenerationEvent("token");

/// <summary>Generation ended, for the reason <see cref="StopReason"/>.</summary>
public sealed record DoneEvent(int Tokens, double ElapsedMs, StopReason StopReason) : GenerationEvent("done");
