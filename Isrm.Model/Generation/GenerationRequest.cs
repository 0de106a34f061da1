namespace Isrm.Model.Generation;

/// <summary>What to generate and how; <see cref="K"/> is K (∞ = adaptive, until KL falls below a tolerance, at most K's cap).</summary>
public sealed record GenerationRequest
{
    public required string Prompt { get; init; }
    /// <summary>Refinement steps per token, K; ∞ is adaptive, with the cap K carries (<see cref="RefinementDepth.Capped"/>) as hard cap.</summary>
    public RefinementDepth K { get; init; } = 8;
    public float KlTolerance { get; init; } = 1e-3f;
    public int MaxTokens { get; init; } = 64;
    /// <summary>0 = greedy.</summary>
    public float Temperature { get; init; } = 0.8f;
    /// <summary>0 = off.</summary>
    public int TopK { get; init; } = 40;
    /// <summary>1 = off.</summary>
    public float TopP { get; init; } = 0.95f;
    /// <summary>Seeds the sampler and a random initial state: the same request gives the same tokens and steps.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>How many candidate tokens each step event lists.</summary>
    public int ReportTopTokens { get; init; } = 5;
    /// <summary>Attach the state vector of the refined position to each step event (for latent-trajectory views).</summary>
    public bool IncludeStates { get; init; }
    /// <summary>Stop when the generated text ends with this (an end-of-text marker for tokenizers without one); null = off.</summary>
    public string? StopText { get; init; }
    /// <summary>
    /// Report every refinement step (a <see cref="StepEvent"/> with top tokens, delta, residual, KL and halting per
    /// step: the web trace, <c>--debug-refinement</c>). Off, the engine computes none of that and the generator emits
    /// only tokens — the fast path of plain <c>generate</c>; the tokens are the same either way.
    /// </summary>
    public bool TraceSteps { get; init; } = true;
    /// <summary>
    /// Change one token's thought after one of its steps (<see cref="InterventionRequest"/>); the tokens before it and
    /// its steps before the change are those of the same request without it. Null = none.
    /// </summary>
    public InterventionRequest? Intervention { get; init; }
    /// <summary>
    /// Path independence: refine token <see cref="StartsRequest.At"/> from several starts at once (the own start's run is
    /// the one reported as usual, each step event adds <see cref="StepEvent.Paths"/>); generation ends with that token.
    /// </summary>
    public StartsRequest? Starts { get; init; }
    /// <summary>Use per-step K/V caches (fast); false recomputes the whole sequence for every token (reference path).</summary>
    public bool UseCache { get; init; } = true;
}
