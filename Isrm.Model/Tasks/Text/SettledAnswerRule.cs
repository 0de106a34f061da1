using static TorchSharp.torch;

namespace Isrm.Model.Tasks.Text;

/// <summary>
/// The K = ∞ stop rule for text answers, per instance: stop once no answer token's argmax has changed and no answer
/// token's top probability has moved by more than the tolerance for <c>patience</c> consecutive steps (the puzzles'
/// rule, <see cref="Reasoning.StableAnswerRule"/>, over a vocabulary instead of two classes).
/// </summary>
internal sealed class SettledAnswerRule(int instances, int patience, float tolerance) : IDisposable
{
    private readonly int[] _calm = new int[instances];
    private Tensor? _previousAnswer, _previousProbability;

    public int?[] StoppedAt { get; } = new int?[instances];
    public bool AllStopped => StoppedAt.All(s => s is not null);

    /// <summary>logProbs (B, T, V); mask (B, T) true on answer positions. Returns the instances that stopped at this step.</summary>
    public IReadOnlyList<int> Observe(int step, Tensor logProbs, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var (top, answer) = logProbs.detach().max(-1);                             // (B, T) each
        Tensor probability = top.exp() * mask;
        answer = answer * mask;
        var stopped = new List<int>();
        if (_previousAnswer is not null && _previousProbability is not null)
        {
            long[] changed = answer.ne(_previousAnswer).sum(1).data<long>().ToArray();
            float[] moved = (probability - _previousProbability).abs().amax(new long[] { 1 }).data<float>().ToArray();
            for (int i = 0; i < _calm.Length; i++)
            {
                if (StoppedAt[i] is not null) continue;
                _calm[i] = changed[i] == 0 && moved[i] < tolerance ? _calm[i] + 1 : 0;
                if (_calm[i] >= patience) { StoppedAt[i] = step; stopped.Add(i); }
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
