namespace Isrm.Model.Reasoning;

/// <summary>
/// The K = ∞ stop rule, per instance, for puzzles and text answers alike: stop once no cell's (or answer token's)
/// answer (argmax) has changed, and no probability has moved by <see cref="Tolerance"/> or more, for
/// <see cref="Patience"/> consecutive steps (an infinite tolerance watches the answer alone). Instances that never
/// settle run to the cap. Puzzles stop on the answer alone (<see cref="PuzzlePatience"/>): measured on the shipped
/// puzzle checkpoints (reports/stop-rules.md), the probabilities of a settled maze keep drifting long after its path
/// stops changing, so the probability test only delayed the stop — on the Puzzles page often to the cap. Text answers
/// keep the probability test (<see cref="DefaultPatience"/>, <see cref="DefaultTolerance"/>), whose figures the text
/// reports were measured with.
/// </summary>
public sealed class StableAnswerRule : IDisposable
{
    /// <summary>Text answers: steps with the answer and its probabilities still.</summary>
    public const int DefaultPatience = 10;
    /// <summary>Text answers: the largest probability move that counts as still.</summary>
    public const float DefaultTolerance = 1e-3f;
    /// <summary>Puzzles: steps with the answer unchanged (reports/stop-rules.md).</summary>
    public const int PuzzlePatience = 20;
    /// <summary>Puzzles: the answer alone decides.</summary>
    public const float PuzzleTolerance = float.PositiveInfinity;

    private readonly int[] _calm;
    private Tensor? _previousAnswer, _previousProbability;

    public StableAnswerRule(int instances, int patience = DefaultPatience, float tolerance = DefaultTolerance)
    {
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), "patience must be at least 1");
        Patience = patience;
        Tolerance = tolerance;
        _calm = new int[instances];
        StoppedAt = new int?[instances];
    }

    public int Patience { get; }
    public float Tolerance { get; }
    /// <summary>The step at which each instance stopped (null while it runs).</summary>
    public int?[] StoppedAt { get; }
    public bool AllStopped => StoppedAt.All(s => s is not null);
    /// <summary>Cells whose answer changed at the last observed step, per instance.</summary>
    public int[] Changed { get; private set; } = [];

    /// <summary>Observes step <paramref name="step"/>'s log-probabilities (B, N, 2) of a puzzle; returns the instances that stopped at it.</summary>
    public IReadOnlyList<int> Observe(int step, Tensor logProbs)
    {
        using var scope = NewDisposeScope();
        Tensor probability = logProbs.select(-1, 1).exp().detach();                  // (B, N)
        return Settle(step, probability.Above(0.5f), probability);
    }

    /// <summary>
    /// Observes a text answer: log-probabilities (B, T, V) over a vocabulary, <paramref name="mask"/> (B, T) true on the
    /// answer's positions; the answer is each position's argmax and its probability the argmax's.
    /// </summary>
    public IReadOnlyList<int> Observe(int step, Tensor logProbs, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var (top, answer) = logProbs.detach().max(-1);                                // (B, T) each
        return Settle(step, answer * mask, top.exp() * mask);
    }

    /// <summary>The rule itself: <paramref name="answer"/> and <paramref name="probability"/> are (B, N), one row per instance.</summary>
    private IReadOnlyList<int> Settle(int step, Tensor answer, Tensor probability)
    {
        using var scope = NewDisposeScope();
        var stopped = new List<int>();
        if (_previousAnswer is null || _previousProbability is null)
            Changed = answer.sum(1, type: ScalarType.Int64).data<long>().Select(v => (int)v).ToArray();
        else
        {
            Changed = answer.ne(_previousAnswer).sum(1, type: ScalarType.Int64).data<long>().Select(v => (int)v).ToArray();
            float[] moved = (probability - _previousProbability).abs().amax(new long[] { 1 }).data<float>().ToArray();
            for (int i = 0; i < _calm.Length; i++)
            {
                if (StoppedAt[i] is not null) continue;
                _calm[i] = Changed[i] == 0 && moved[i] < Tolerance ? _calm[i] + 1 : 0;
                if (_calm[i] >= Patience) { StoppedAt[i] = step; stopped.Add(i); }
            }
        }
        _previousAnswer?.Dispose();
        _previousProbability?.Dispose();
        _previousAnswer = answer.DetachFromDisposeScope();
        _previousProbability = probability.DetachFromDisposeScope();
        return stopped;
    }

    public void Dispose()
    {
        _previousAnswer?.Dispose();
        _previousProbability?.Dispose();
    }
}
