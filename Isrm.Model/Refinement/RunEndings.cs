namespace Isrm.Model.Refinement;

/// <summary>How a run of the refinement engine ended.</summary>
public enum RunEnding { FixedPoint, Cycle, Moving, SinglePass }

/// <summary>
/// N runs of one instance (or one token's position) at one step, run 0 from the network's own start: each state's
/// relative distance ‖yᵢ − y₀‖ / ‖y₀‖ from run 0's; how many different answers the runs hold (a puzzle's cells with
/// p &gt; ½, a token's top token); for a puzzle the cells right per run, for text each run's top token. The last step
/// adds how each run ended (<see cref="RunEndings"/>: fixed point, cycle and its period, still moving).
/// </summary>
public sealed record PathStep(float[] Distance, int DistinctAnswers)
{
    /// <summary>The most starts one run takes.</summary>
    public const int MaxStarts = 16;
    /// <summary>Relative state distance taken as "the same" and as "not moving" (fixed point, cycle).</summary>
    public const double SameStateTolerance = 1e-3;
    /// <summary>The longest cycle looked for at the end.</summary>
    public const int MaxPeriod = 8;

    public int[]? Correct { get; init; }
    public string[]? Answers { get; init; }
    public RunEnding[]? Endings { get; init; }
    public int?[]? Periods { get; init; }

    /// <summary>Every run holds the same answer.</summary>
    public bool SameAnswer => DistinctAnswers == 1;
    /// <summary>Every run's state is within <see cref="SameStateTolerance"/> of run 0's.</summary>
    public bool SameState => Distance.All(d => d < SameStateTolerance);
}

/// <summary>
/// The states of N runs of one instance, step after step: each state's distance from run 0's, and at the last step how
/// each run ended (<see cref="RunEndings"/> over the last <see cref="PathStep.MaxPeriod"/> + 1 states, held here).
/// </summary>
public sealed class PathTail : IDisposable
{
    private readonly List<Tensor> _tail = [];

    /// <summary>One step: <paramref name="states"/> (runs, D), and how many different answers the caller counted.</summary>
    public PathStep Next(Tensor states, int distinctAnswers, bool last)
    {
        if (_tail.Count > PathStep.MaxPeriod) { _tail[0].Dispose(); _tail.RemoveAt(0); }
        float[] distance;
        using (NewDisposeScope())
        {
            _tail.Add(states.detach().clone().DetachFromDisposeScope());
            distance = ((states - states[0]).norm(1) / states[0].norm().AtLeast(1e-12)).data<float>().ToArray();   // tensor − tensor takes no scalar
        }
        var step = new PathStep(distance, distinctAnswers);
        if (!last) return step;
        var (endings, periods) = RunEndings.Classify(_tail, PathStep.SameStateTolerance, PathStep.MaxPeriod);
        return step with { Endings = endings, Periods = periods };
    }

    public void Dispose()
    {
        _tail.ForEach(t => t.Dispose());
        _tail.Clear();
    }
}

/// <summary>Period detection over a run's last states: a fixed point, the shortest cycle, or still moving.</summary>
public static class RunEndings
{
    /// <summary>
    /// Per row of the last states <paramref name="tail"/> (oldest first, (B, D) each): a fixed point when the last step
    /// moved the state by less than <paramref name="tolerance"/> of its norm, a cycle of period p (2 … <paramref name="maxPeriod"/>,
    /// the shortest) when the last state is back within the tolerance of the state p steps before but not of the one
    /// before it, or still moving. Fewer than <paramref name="maxPeriod"/> + 1 states: a single-pass network, applied once.
    /// </summary>
    public static (RunEnding[] Endings, int?[] Periods) Classify(IReadOnlyList<Tensor> tail, double tolerance, int maxPeriod)
    {
        using var scope = NewDisposeScope();
        Tensor final = tail[^1];
        if (tail.Count <= maxPeriod)
            return (Enumerable.Repeat(RunEnding.SinglePass, (int)final.shape[0]).ToArray(), new int?[final.shape[0]]);
        Tensor norm = final.norm(1).AtLeast(1e-12);
        double[] Back(int p) => ((final - tail[^(1 + p)]).norm(1) / norm).to(ScalarType.Float64).data<double>().ToArray();
        double[] step = Back(1);
        var ending = new RunEnding[step.Length];
        var period = new int?[step.Length];
        for (int i = 0; i < step.Length; i++) ending[i] = step[i] < tolerance ? RunEnding.FixedPoint : RunEnding.Moving;
        for (int p = 2; p <= maxPeriod; p++)
        {
            double[] back = Back(p);
            for (int i = 0; i < back.Length; i++)
                if (ending[i] == RunEnding.Moving && back[i] < tolerance) (ending[i], period[i]) = (RunEnding.Cycle, p);
        }
        return (ending, period);
    }
}
