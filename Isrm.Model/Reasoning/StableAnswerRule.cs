using Isrm.Model.Runtime;
using static TorchSharp.torch;

namespace Isrm.Model.Reasoning;

/// <summary>
/// The K = ∞ stop rule, per instance, for puzzles and text answers alike: stop once no cell's (or answer token's)
/// answer (argmax) has changed and no probability has moved by more than <see cref="Tolerance"/> for
/// <see cref="Patience"/> consecutive steps. The answer alone is not
/// enough: a network can carry information silently (a wavefront inside the state) before the answer flips, and the
/// probability test catches most of that; the patience covers the rest. Instances that never settle run to the cap.
/// </summary>
public sealed class StableAnswerRule : IDisposable
{
    public const int DefaultPatience = 10;
    public const float DefaultTolerance = 1e-3f;

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
