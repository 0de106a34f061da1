namespace Isrm.Web.Refinement;

/// <summary>
/// One item of a refinement stream, the same for the pages (in process) and for hub clients (as JSON, where the
/// <c>kind</c> field names the type), of text and puzzles alike. A generation: <c>started</c>, then <c>queued</c> while
/// the request waits, then the steps of token 0, token 0, the steps of token 1, …, and <c>done</c>. A solve:
/// <c>puzzle</c> (the instance), <c>queued</c> while it waits, <c>puzzle-step</c> frames and <c>puzzle-done</c>. Either
/// ends with <c>error</c> when the request is refused or fails. Clients should ignore kinds they do not know.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(StartedFrame), "started")]
[JsonDerivedType(typeof(QueuedFrame), "queued")]
[JsonDerivedType(typeof(StepFrame), "step")]
[JsonDerivedType(typeof(TokenFrame), "token")]
[JsonDerivedType(typeof(DoneFrame), "done")]
[JsonDerivedType(typeof(ErrorFrame), "error")]
[JsonDerivedType(typeof(Puzzles.PuzzleStartFrame), "puzzle")]
[JsonDerivedType(typeof(Puzzles.PuzzleStepFrame), "puzzle-step")]
[JsonDerivedType(typeof(Puzzles.PuzzleDoneFrame), "puzzle-done")]
public abstract record RefinementFrame
{
    /// <summary>The frame of a model event (non-finite numbers become null, which JSON can carry).</summary>
    public static RefinementFrame From(GenerationEvent e) => e switch
    {
        StepEvent s => new StepFrame(
            s.TokenIndex, s.Step,
            s.TopTokens.Select(t => new TopToken(t.Token, Finite(t.Prob) ?? 0)).ToList(),
            Finite(s.Confidence), Finite(s.Entropy), Finite(s.Delta), Finite(s.Residual),
            Finite(s.KlToPrevious), Finite(s.Alpha), Finite(s.HaltProbability), s.ElapsedMs,
            s.State is { } state && state.All(float.IsFinite) ? state : null)
        {
            Paths = s.Paths is { } paths ? Puzzles.PathsFrame.From(paths) : null,
        },
        TokenEvent t => new TokenFrame(t.TokenIndex, t.Text, t.StepsUsed),
        DoneEvent d => new DoneFrame(d.Tokens, d.ElapsedMs, d.StopReason),
        _ => throw new InvalidOperationException($"Unknown generation event {e.GetType().Name}."),
    };

    private static double? Finite(float value) => float.IsFinite(value) ? Math.Round(value, 6) : null;
}

/// <summary>
/// The request was accepted for <see cref="Checkpoint"/>; <see cref="GenerationId"/> (32 hex digits) lets others
/// watch it through the hub.
/// </summary>
public sealed record StartedFrame(string GenerationId, string Checkpoint) : RefinementFrame;

/// <summary>
/// The request waits: <see cref="Ahead"/> requests run or wait before it (on its checkpoint's worker, or for a
/// free model slot). Sent again whenever the number changes; the first step ends the wait.
/// </summary>
public sealed record QueuedFrame(int Ahead) : RefinementFrame;

/// <summary>One candidate token and its probability.</summary>
public sealed record TopToken(string Token, double Prob);

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
    /// <summary>A request with several starts (<see cref="RefinementRequest.Starts"/>): every start's run of this token at this step.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Puzzles.PathsFrame? Paths { get; init; }
}

/// <summary>The token chosen at <see cref="TokenIndex"/> after <see cref="StepsUsed"/> steps.</summary>
public sealed record TokenFrame(int TokenIndex, string Text, int StepsUsed) : RefinementFrame;

/// <summary>End of a generation, and why it ended.</summary>
public sealed record DoneFrame(int Tokens, double ElapsedMs, StopReason StopReason) : RefinementFrame;

/// <summary>The request was refused or failed; <see cref="Message"/> is one sentence saying what to do. Always the last frame.</summary>
public sealed record ErrorFrame(string Message) : RefinementFrame;
