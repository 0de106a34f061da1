using System.Text.Json.Serialization;

namespace Isrm.Web.Puzzles;

/// <summary>
/// One item of a solve stream, the same for the page (in process) and hub clients (JSON; <c>kind</c> names the type):
/// <c>puzzle</c> (the instance and its ground truth), then <c>puzzle-step</c> frames, then <c>puzzle-done</c>; or
/// <c>error</c> as the only frame when the request is refused or fails. Byte arrays travel as base64 on the wire.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(PuzzleStartFrame), "puzzle")]
[JsonDerivedType(typeof(PuzzleStepFrame), "puzzle-step")]
[JsonDerivedType(typeof(PuzzleDoneFrame), "puzzle-done")]
[JsonDerivedType(typeof(PuzzleErrorFrame), "error")]
public abstract record SolveFrame;

/// <summary>
/// The instance being solved: <see cref="Cells"/> are its codes row-major (maze: 0 wall, 1 open, 2 S, 3 E; bits: 0/1),
/// <see cref="Target"/> the ground truth per cell (0/1). <see cref="K"/> null = ∞ up to <see cref="Cap"/>.
/// </summary>
public sealed record PuzzleStartFrame(
    string Checkpoint, string Task, int Size, int Height, int Width, byte[] Cells, byte[] Target, int? K, int Cap, int DenseSteps)
    : SolveFrame;

/// <summary>
/// One streamed step: per cell round(255·P(on the path / parity 1)), row-major; Correct of Cells right against the
/// ground truth; Changed cells whose answer flipped since the previous step; SolvedAt the first all-right step so far.
/// </summary>
public sealed record PuzzleStepFrame(
    int Step, byte[] Probabilities, int Correct, int Cells, int Changed, bool Solved, int? SolvedAt, double ElapsedMs)
    : SolveFrame;

/// <summary>
/// The end: <see cref="StopReason"/> is <c>k</c> (ran the asked K), <c>stable</c> (K = ∞: the answer stopped changing)
/// or <c>cap</c> (K = ∞ reached the cap). A stopped solve ends its stream without this frame.
/// </summary>
public sealed record PuzzleDoneFrame(int Steps, bool Solved, int? SolvedAt, int Correct, int Cells, string StopReason, double ElapsedMs)
    : SolveFrame;

/// <summary>The request was refused or failed; one sentence saying what to do. Always the only frame after any <c>puzzle</c>.</summary>
public sealed record PuzzleErrorFrame(string Message) : SolveFrame;

/// <summary>One puzzle checkpoint as listed; an unusable one carries its sentence.</summary>
public sealed record PuzzleCheckpointListing(string Name, string Task, long ParameterCount, string TrainingSummary, bool Usable, string? Error);
