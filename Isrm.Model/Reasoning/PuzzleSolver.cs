namespace Isrm.Model.Reasoning;

/// <summary>How long to think about one puzzle and which steps to report.</summary>
public sealed record PuzzleSolveOptions
{
    /// <summary>K: fixed, or ∞ (the <see cref="StableAnswerRule"/> decides, up to K's cap).</summary>
    public RefinementDepth K { get; init; } = RefinementDepth.Infinite.Capped(DefaultCap);
    /// <summary>A puzzle's cap when none is given: bigger instances need thousands of steps.</summary>
    public const int DefaultCap = 2048;
    /// <summary>Steps the answer must stay the same before K = ∞ stops (a puzzle's default; text tasks use <see cref="StableAnswerRule.DefaultPatience"/>).</summary>
    public int Patience { get; init; } = StableAnswerRule.PuzzlePatience;
    /// <summary>Largest probability move that counts as still; ∞ = the answer alone (a puzzle's default).</summary>
    public float Tolerance { get; init; } = StableAnswerRule.PuzzleTolerance;
    /// <summary>Report every Stride-th step (1 = all); the first solved step and the last step are always reported.</summary>
    public int Stride { get; init; } = 1;
    /// <summary>Change the thought after one step (<see cref="InterventionRequest"/>; a puzzle's has no token); null = none.</summary>
    public InterventionRequest? Intervention { get; init; }
    /// <summary>The instance whose state an intervention of <see cref="InterventionChange.Seed"/> takes (same grid size).</summary>
    public Puzzle? Foreign { get; init; }
    /// <summary>
    /// Path independence: refine the instance from this many starting states at once — the network's own (the frames'
    /// probabilities) and <see cref="Starts"/> − 1 fresh random ones drawn from <see cref="StartSeed"/> — and report
    /// every run per step (<see cref="PuzzleFrame.Paths"/>). K = ∞ stops when every run's answer is stable.
    /// </summary>
    public int Starts { get; init; } = 1;
    public long StartSeed { get; init; } = 1;
    /// <summary>The most starts one solve takes.</summary>
    public const int MaxStarts = PathStep.MaxStarts;

    /// <summary>The K = ∞ rule in words, as results files record it.</summary>
    public string StopRule => float.IsPositiveInfinity(Tolerance)
        ? $"the answer unchanged for {Patience} steps, cap {K.Cap}"
        : $"the answer unchanged and no probability moving by {Tolerance.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)} for {Patience} steps, cap {K.Cap}";

    /// <summary>One sentence for an unusable K, cap or stride.</summary>
    public void Validate()
    {
        if (K.Cap < 1) throw new PuzzleFormatException($"the cap on K must be at least 1 (got {K.Cap}).");
        if (K.Steps is int k && (k < 1 || k > K.Cap)) throw new PuzzleFormatException($"K must be between 1 and the cap of {K.Cap} (got {k}).");
        if (Stride < 1) throw new PuzzleFormatException($"the frame stride must be at least 1 (got {Stride}).");
        if (Patience < 1) throw new PuzzleFormatException($"the patience of the stop rule must be at least 1 (got {Patience}).");
        if (!(Tolerance > 0)) throw new PuzzleFormatException($"the tolerance of the stop rule must be positive (got {Tolerance}).");
        if (Intervention?.Problem(K, maxTokens: null) is string problem) throw new PuzzleFormatException(problem);
        if (Starts < 1 || Starts > MaxStarts) throw new PuzzleFormatException($"the number of starts must be from 1 to {MaxStarts} (got {Starts}).");
        if (StartSeed < 0) throw new PuzzleFormatException($"the seed of the starts must be ≥ 0 (got {StartSeed}).");
        if (Starts > 1 && Intervention is not null) throw new PuzzleFormatException("choose either an intervention or several starts, not both in one solve.");
        if (Intervention is { Change: InterventionChange.Seed } && Foreign is null)
            throw new PuzzleFormatException("an intervention with another seed's state needs that seed's instance.");
    }
}

/// <summary>
/// One refinement step of one puzzle. Probabilities: per cell, P(class 1) — on the S–E path, or prefix parity 1 —
/// as round(255·p), row-major Height × Width. Correct counts cells whose answer (p &gt; 0.5) equals the ground truth.
/// </summary>
public sealed record PuzzleFrame(
    int Step, int Height, int Width, byte[] Probabilities, int Changed, int Correct, int Cells,
    bool Solved, int? SolvedAt, bool IsLast, bool Stopped)
{
    /// <summary>With several starts (<see cref="PuzzleSolveOptions.Starts"/>): every run at this step; null otherwise.</summary>
    public PathStep? Paths { get; init; }

    /// <summary>Not a frame: the solve waits for a <see cref="StepScheduler"/> to compute its next step; never sent to a client.</summary>
    public static PuzzleFrame Waiting { get; } = new(0, 0, 0, [], 0, 0, 0, false, null, false, false);

    /// <summary>True for <see cref="Waiting"/>.</summary>
    public bool IsWaiting => ReferenceEquals(this, Waiting);
}

/// <summary>Runs the refinement engine on one puzzle and turns its steps into <see cref="PuzzleFrame"/>s (call on the model thread).</summary>
public static class PuzzleSolver
{
    /// <summary>
    /// Solves <paramref name="puzzle"/>, every step refined by <paramref name="engine"/> — the network itself, or the
    /// network of a <see cref="StepScheduler"/> that joins this solve's steps with other solves' of the same shape (the
    /// run then yields <see cref="PuzzleFrame.Waiting"/> where it waits for the scheduler).
    /// </summary>
    public static IEnumerable<PuzzleFrame> Solve(
        PuzzleNetwork network, Puzzle puzzle, PuzzleSolveOptions options, CancellationToken cancellation = default, IStepNetwork? engine = null)
    {
        options.Validate();
        if (puzzle.Task != network.Config.PuzzleTask)
            throw new PuzzleFormatException($"this checkpoint solves {network.Config.Task}, not {puzzle.Task.Name}.");
        using var outer = NewDisposeScope();
        using var inference = no_grad();
        int runs = options.Starts;
        var (x, target) = PuzzleTensors.Build(Enumerable.Repeat(puzzle, runs).ToList(), network.Device);
        using var rule = new StableAnswerRule(runs, options.Patience, options.Tolerance);
        var refinement = new RefinementOptions
        {
            K = options.K, EveryStepLogits = true,
            Intervene = options.Intervention is { } change ? Intervening(network, change, options.Foreign, puzzle)
                : runs > 1 ? Intervention.RandomStarts(options.StartSeed) : null,
        };
        using PathTail? tail = runs > 1 ? new PathTail() : null;   // several starts
        int? solvedAt = null;
        int observed = 0;   // the last step the stop rule saw (K = ∞ asks it at every step the engine may stop at)
        bool Settled(RefinementStep s)
        {
            observed = s.Step;
            rule.Observe(s.Step, s.LogProbs!);
            return rule.AllStopped;   // several starts: when every run's answer is stable
        }
        foreach (RefinementStep step in Refiner.Run(engine ?? network, x, refinement, cancellation: cancellation, converged: Settled))
        {
            if (step.IsWaiting)
            {
                yield return PuzzleFrame.Waiting;   // a scheduler computes the step with other solves' steps
                continue;
            }
            using var scope = NewDisposeScope();
            if (observed != step.Step) rule.Observe(step.Step, step.LogProbs!);   // fixed K, or a single-pass network's one step
            Tensor probabilities = step.LogProbs!.select(-1, 1).exp();                      // (runs, N)
            Tensor probability = probabilities[0];                                          // (N): the own start's run
            int correct = probability.Above(0.5f).eq(target[0].to(ScalarType.Bool)).sum().item<long>() is long c ? (int)c : 0;
            PathStep? paths = null;
            if (tail is not null) paths = Paths(probabilities, target, step.Y.flatten(1), tail, step.IsLast);
            bool solved = correct == puzzle.CellCount;
            bool firstSolved = solved && solvedAt is null;
            if (firstSolved) solvedAt = step.Step;
            if (step.IsLast || firstSolved || step.Step % options.Stride == 0)
            {
                byte[] bytes = probability.Times(255f).round().to(ScalarType.Byte).data<byte>().ToArray();
                yield return new PuzzleFrame(step.Step, puzzle.Height, puzzle.Width, bytes, rule.Changed[0], correct, puzzle.CellCount,
                    solved, solvedAt, step.IsLast,
                    Stopped: step.IsLast && options.K.IsInfinite && (rule.AllStopped || step.Step < options.K.Cap))   // a single-pass network ends at step 1
                { Paths = paths };
            }
        }
    }

    // Every run at one step: its cells right and the different answers (p > ½ per cell) the runs hold; the tail adds distances and endings.
    private static PathStep Paths(Tensor probabilities, Tensor target, Tensor states, PathTail tail, bool last)
    {
        Tensor answers = probabilities.Above(0.5f);                                                        // (runs, N)
        int[] correct = answers.eq(target.to(ScalarType.Bool)).sum(1).to(ScalarType.Int32).data<int>().ToArray();
        byte[] bytes = answers.to(ScalarType.Byte).data<byte>().ToArray();
        int cells = (int)answers.shape[1];
        int distinct = Enumerable.Range(0, correct.Length).Select(r => Convert.ToBase64String(bytes, r * cells, cells)).Distinct().Count();
        return tail.Next(states, distinct, last) with { Correct = correct };
    }

    /// <summary>
    /// The engine's change for an intervention; another seed's state is the state the network reaches on
    /// <paramref name="foreign"/> after the same number of steps (its start for step 0). Tensors made here live in the
    /// caller's dispose scope.
    /// </summary>
    private static Intervention Intervening(PuzzleNetwork network, InterventionRequest request, Puzzle? foreign, Puzzle puzzle)
    {
        if (((IStepNetwork)network).IsSinglePass && request.Step > 0)
            throw new PuzzleFormatException("this network is applied once, so there is no step after which to intervene: use step 0 (the start).");
        switch (request.Change)
        {
            case InterventionChange.Random: return Intervention.RandomState(request.Step, (ulong)request.Seed);
            case InterventionChange.Scale: return Intervention.Scaled(request.Step, request.Scale);
            case InterventionChange.Seed when foreign is not null:
            {
                if (foreign.Height != puzzle.Height || foreign.Width != puzzle.Width || foreign.Task != puzzle.Task)
                    throw new PuzzleFormatException($"the instance of seed {request.Seed} is {foreign.Height}×{foreign.Width}, this one {puzzle.Height}×{puzzle.Width}: another seed's state must come from an instance of the same size.");
                var (x, _) = PuzzleTensors.Build([foreign], network.Device);
                Tensor y;
                if (request.Step == 0) y = ((IStepNetwork)network).InitialState(x, default, null).Y;
                else
                {
                    y = empty(0);
                    var options = new RefinementOptions { K = request.Step, EveryStepLogits = false, StepNorms = false, StepHalt = false };
                    foreach (RefinementStep step in Refiner.Run(network, x, options))
                        if (step.IsLast) y = step.Y.clone();
                }
                return Intervention.ForeignState(request.Step, y, empty(0));
            }
            default: throw new PuzzleFormatException("forcing a token is for text models: a puzzle's cells have no tokens; choose random, seed or scale.");
        }
    }
}
