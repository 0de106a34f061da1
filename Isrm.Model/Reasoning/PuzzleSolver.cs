using Isrm.Model.Runtime;
using Isrm.Model.Refinement;
using static TorchSharp.torch;

namespace Isrm.Model.Reasoning;

/// <summary>How long to think about one puzzle and which steps to report.</summary>
public sealed record PuzzleSolveOptions
{
    /// <summary>Fixed K; null = ∞ (the <see cref="StableAnswerRule"/> decides, up to <see cref="Cap"/>).</summary>
    public int? K { get; init; }
    public int Cap { get; init; } = 2048;
    /// <summary>Steps the answer must stay the same before K = ∞ stops (a puzzle's default; text tasks use <see cref="StableAnswerRule.DefaultPatience"/>).</summary>
    public int Patience { get; init; } = StableAnswerRule.PuzzlePatience;
    /// <summary>Largest probability move that counts as still; ∞ = the answer alone (a puzzle's default).</summary>
    public float Tolerance { get; init; } = StableAnswerRule.PuzzleTolerance;
    /// <summary>Report every Stride-th step (1 = all); the first solved step and the last step are always reported.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>The K = ∞ rule in words, as results files record it.</summary>
    public string StopRule => float.IsPositiveInfinity(Tolerance)
        ? $"the answer unchanged for {Patience} steps, cap {Cap}"
        : $"the answer unchanged and no probability moving by {Tolerance.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)} for {Patience} steps, cap {Cap}";

    /// <summary>One sentence for an unusable K, cap or stride.</summary>
    public void Validate()
    {
        if (Cap < 1) throw new PuzzleFormatException($"the cap on K must be at least 1 (got {Cap}).");
        if (K is int k && (k < 1 || k > Cap)) throw new PuzzleFormatException($"K must be between 1 and the cap of {Cap} (got {k}).");
        if (Stride < 1) throw new PuzzleFormatException($"the frame stride must be at least 1 (got {Stride}).");
        if (Patience < 1) throw new PuzzleFormatException($"the patience of the stop rule must be at least 1 (got {Patience}).");
        if (!(Tolerance > 0)) throw new PuzzleFormatException($"the tolerance of the stop rule must be positive (got {Tolerance}).");
    }
}

/// <summary>
/// One refinement step of one puzzle. Probabilities: per cell, P(class 1) — on the S–E path, or prefix parity 1 —
/// as round(255·p), row-major Height × Width. Correct counts cells whose answer (p &gt; 0.5) equals the ground truth.
/// </summary>
public sealed record PuzzleFrame(
    int Step, int Height, int Width, byte[] Probabilities, int Changed, int Correct, int Cells,
    bool Solved, int? SolvedAt, bool IsLast, bool Stopped);

/// <summary>Runs the refinement engine on one puzzle and turns its steps into <see cref="PuzzleFrame"/>s (call on the model thread).</summary>
public static class PuzzleSolver
{
    public static IEnumerable<PuzzleFrame> Solve(PuzzleNetwork network, Puzzle puzzle, PuzzleSolveOptions options, CancellationToken cancellation = default)
    {
        options.Validate();
        if (puzzle.Task != network.Config.PuzzleTask)
            throw new PuzzleFormatException($"this checkpoint solves {network.Config.Task}, not {puzzle.Task.Name()}.");
        using var outer = NewDisposeScope();
        using var inference = no_grad();
        var (x, target) = PuzzleTensors.Build([puzzle], network.Device);
        using var rule = new StableAnswerRule(1, options.Patience, options.Tolerance);
        var refinement = new RefinementOptions { Loops = options.K, MaxLoops = options.Cap, EveryStepLogits = true };
        int? solvedAt = null;
        int observed = 0;   // the last step the stop rule saw (K = ∞ asks it at every step the engine may stop at)
        bool Settled(RefinementStep s)
        {
            observed = s.Step;
            return rule.Observe(s.Step, s.LogProbs!).Count > 0 || rule.AllStopped;
        }
        foreach (RefinementStep step in Refiner.Run(network, x, refinement, cancellation: cancellation, converged: Settled))
        {
            using var scope = NewDisposeScope();
            if (observed != step.Step) rule.Observe(step.Step, step.LogProbs!);   // fixed K, or a single-pass network's one step
            Tensor probability = step.LogProbs!.select(-1, 1).exp()[0];                     // (N)
            int correct = probability.Above(0.5f).eq(target[0].to(ScalarType.Bool)).sum().item<long>() is long c ? (int)c : 0;
            bool solved = correct == puzzle.CellCount;
            bool firstSolved = solved && solvedAt is null;
            if (firstSolved) solvedAt = step.Step;
            if (step.IsLast || firstSolved || step.Step % options.Stride == 0)
            {
                byte[] bytes = probability.Times(255f).round().to(ScalarType.Byte).data<byte>().ToArray();
                yield return new PuzzleFrame(step.Step, puzzle.Height, puzzle.Width, bytes, rule.Changed[0], correct, puzzle.CellCount,
                    solved, solvedAt, step.IsLast,
                    Stopped: step.IsLast && options.K is null && (rule.AllStopped || step.Step < options.Cap));   // a single-pass network ends at step 1
            }
        }
    }
}
