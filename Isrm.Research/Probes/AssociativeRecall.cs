namespace Isrm.Research.Probes;

/// <summary>
/// Multi-query associative recall (Zoology, Arora et al. 2023), generated here: N key–value pairs
/// k₁ v₁ … k_N v_N, then Q = min(N, Queries) of those keys again, each followed by its value:
/// q₁ v(q₁) … q_Q v(q_Q). Only the value after each query is scored. Keys are ids 0 … Keys−1 (distinct within a
/// sequence), values Keys … Keys+Values−1. A fixed-size state must hold all N pairs to answer; attention can look back.
/// </summary>
public sealed record AssociativeRecall(int Keys = 256, int Values = 64, int Queries = 32)
{
    /// <summary>Targets that carry no loss.</summary>
    public const long Ignore = -100;

    public int VocabSize => Keys + Values;

    /// <summary>Tokens in a sequence with <paramref name="pairs"/> pairs.</summary>
    public int Length(int pairs) => 2 * pairs + 2 * Math.Min(pairs, Queries);

    /// <summary>Inputs (B, L−1) and next-token targets (B, L−1), <see cref="Ignore"/> except after a query.</summary>
    public (long[] Inputs, long[] Targets) Sample(int pairs, int batch, Random random)
    {
        if (pairs < 1 || pairs > Keys) throw new ArgumentException($"pairs must be between 1 and {Keys} (the key vocabulary).");
        int length = Length(pairs), queries = Math.Min(pairs, Queries);
        var inputs = new long[batch * (length - 1)];
        var targets = new long[batch * (length - 1)];
        int[] keys = Enumerable.Range(0, Keys).ToArray();
        for (int b = 0; b < batch; b++)
        {
            random.Shuffle(keys);                                    // the first N are this sequence's distinct keys
            var sequence = new long[length];
            var value = new long[pairs];
            for (int i = 0; i < pairs; i++)
            {
                value[i] = Keys + random.Next(Values);
                sequence[2 * i] = keys[i];
                sequence[2 * i + 1] = value[i];
            }
            int[] asked = Enumerable.Range(0, pairs).OrderBy(_ => random.Next()).Take(queries).ToArray();
            for (int j = 0; j < queries; j++)
            {
                sequence[2 * pairs + 2 * j] = keys[asked[j]];
                sequence[2 * pairs + 2 * j + 1] = value[asked[j]];
            }
            int row = b * (length - 1);
            for (int t = 0; t < length - 1; t++)
            {
                inputs[row + t] = sequence[t];
                bool answer = t >= 2 * pairs && (t - 2 * pairs) % 2 == 0;   // input is a query: the next token is its value
                targets[row + t] = answer ? sequence[t + 1] : Ignore;
            }
        }
        return (inputs, targets);
    }

    /// <summary>Log-probabilities (B, T, V) after K steps (1 for a one-pass model), detached.</summary>
    public static Tensor LogProbs(IsrmModel model, Tensor inputs, int loops) => LogProbsWithGrad(model, inputs, loops).detach();

    /// <summary>Log-probabilities (B, T, V) after K steps through the refinement engine, with gradients when enabled.</summary>
    public static Tensor LogProbsWithGrad(IsrmModel model, Tensor inputs, int loops)
    {
        var options = new RefinementOptions
        {
            K = loops,
            EveryStepLogits = false, StepNorms = false, StepHalt = false,
        };
        Tensor x = model.Embed(inputs);
        Tensor? last = null;
        foreach (RefinementStep step in Refiner.Run(model, x, options))
            if (step.IsLast) last = step.LogProbs!.alias();
        return last!;
    }

    /// <summary>Fraction of queries answered right (argmax) over <paramref name="sequences"/> fresh sequences of N pairs.</summary>
    public double Accuracy(IsrmModel model, int pairs, int sequences, int seed, int loops = 1, int batch = 32)
    {
        using var noGrad = no_grad();
        var random = new Random(seed);
        long right = 0, asked = 0;
        for (int done = 0; done < sequences; done += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, sequences - done);
            var (inputs, targets) = Sample(pairs, n, random);
            long t = Length(pairs) - 1;
            Tensor x = tensor(inputs, new[] { n, t }, device: model.Device);
            Tensor y = tensor(targets, new[] { n, t }, device: model.Device);
            Tensor predicted = LogProbs(model, x, loops).argmax(-1);               // (B, T)
            Tensor scored = y.ne(Ignore);
            right += predicted.eq(y).logical_and(scored).sum().item<long>();
            asked += scored.sum().item<long>();
        }
        return (double)right / asked;
    }
}
