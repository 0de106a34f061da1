namespace Isrm.Web.Puzzles;

// A solve streams frames of the one refinement-frame hierarchy (RefinementFrame): its task-specific frames below,
// then the shared ones (queued while it waits, error as the only frame after "puzzle" when it is refused or fails).

/// <summary>
/// The instance being solved: <see cref="Cells"/> are its codes row-major (maze: 0 wall, 1 open, 2 S, 3 E; bits: 0/1),
/// <see cref="Target"/> the ground truth per cell (0/1). <see cref="K"/> null = ∞ up to <see cref="Cap"/>.
/// </summary>
public sealed record PuzzleStartFrame(
    string Checkpoint, string Task, int Size, int Height, int Width, byte[] Cells, byte[] Target, int? K, int Cap, int DenseSteps)
    : RefinementFrame;

/// <summary>
/// One streamed step: per cell round(255·P(on the path / parity 1)), row-major; Correct of Cells right against the
/// ground truth; Changed cells whose answer flipped since the previous step; SolvedAt the first all-right step so far.
/// </summary>
public sealed record PuzzleStepFrame(
    int Step, byte[] Probabilities, int Correct, int Cells, int Changed, bool Solved, int? SolvedAt, double ElapsedMs)
    : RefinementFrame
{
    /// <summary>A solve from several starts (<see cref="SolveRequest.Starts"/>): every run at this step; absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PathsFrame? Paths { get; init; }
}

/// <summary>
/// N runs of one instance or one token at one step (run 0 from the network's own start, which the step frame shows):
/// cells right per run (puzzles), each state's distance from run 0's relative to its norm, how many different answers the runs
/// hold (for text, <see cref="Answers"/> is each run's top token); on the last step how each run ended —
/// <c>fixed-point</c>, <c>cycle</c> (with its period), <c>moving</c>, or <c>too-few-steps</c> (fewer than 9 steps, or a
/// network applied once: no period can be told).
/// </summary>
public sealed record PathsFrame(int[]? Correct, float[] Distance, int DistinctAnswers, string[]? Endings = null, int?[]? Periods = null, string[]? Answers = null)
{
    /// <summary>The largest distance from run 0's state, as the pages write it.</summary>
    public string Farthest => Distance.Max().ToString("0.###e0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every run's state within <see cref="Isrm.Model.Refinement.PathStep.SameStateTolerance"/> of run 0's.</summary>
    public bool SameState => Distance.All(d => d < Isrm.Model.Refinement.PathStep.SameStateTolerance);

    /// <summary>How the runs ended, grouped ("6 × fixed point, 2 × a 2-cycle"); null before the last step.</summary>
    public string? EndingsSaid => Endings is null ? null : string.Join(", ", Endings
        .Select((e, i) => e == "cycle" ? $"a {Periods?[i]}-cycle" : e.Replace('-', ' ')).GroupBy(e => e).Select(g => $"{g.Count()} × {g.Key}"));

    public static PathsFrame From(Isrm.Model.Refinement.PathStep p) => new(p.Correct, p.Distance, p.DistinctAnswers,
        p.Endings?.Select(e => e switch
        {
            Isrm.Model.Refinement.RunEnding.FixedPoint => "fixed-point", Isrm.Model.Refinement.RunEnding.Cycle => "cycle",
            Isrm.Model.Refinement.RunEnding.Moving => "moving", _ => "too-few-steps",
        }).ToArray(), p.Periods, p.Answers);
}

/// <summary>
/// The end: <see cref="StopReason"/> is <c>k</c> (ran the asked K), <c>stable</c> (K = ∞: the answer stopped changing)
/// or <c>cap</c> (K = ∞ reached the cap). A stopped solve ends its stream without this frame.
/// </summary>
public sealed record PuzzleDoneFrame(int Steps, bool Solved, int? SolvedAt, int Correct, int Cells, string StopReason, double ElapsedMs)
    : RefinementFrame;
