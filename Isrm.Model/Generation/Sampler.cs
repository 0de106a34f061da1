namespace Isrm.Model.Generation;

/// <summary>Chooses the next token from a probability vector: greedy, temperature, top-k and top-p, seeded.</summary>
public sealed class Sampler(float temperature, int topK, float topP, ulong seed)
{
    private readonly Random _random = new(unchecked((int)seed ^ (int)(seed >> 32)));

    /// <summary>Throws <see cref="ArgumentException"/> with one sentence for unusable settings.</summary>
    public static void Validate(float temperature, int topK, float topP)
    {
        if (float.IsNaN(temperature) || temperature < 0) throw new ArgumentException("temperature must be 0 (greedy) or positive.");
        if (topK < 0) throw new ArgumentException("top-k must be 0 (off) or positive.");
        if (float.IsNaN(topP) || topP <= 0 || topP > 1) throw new ArgumentException("top-p must be in (0, 1].");
    }

    /// <summary>logProbs: natural-log probabilities over the vocabulary.</summary>
    public int Next(ReadOnlySpan<float> logProbs)
    {
        if (temperature == 0) return ArgMax(logProbs);
        var candidates = new (int Id, double Weight)[logProbs.Length];
        for (int i = 0; i < logProbs.Length; i++) candidates[i] = (i, logProbs[i] / temperature);
        Array.Sort(candidates, (a, b) => b.Weight.CompareTo(a.Weight));
        int keep = topK > 0 ? Math.Min(topK, candidates.Length) : candidates.Length;
        double max = candidates[0].Weight, total = 0;
        for (int i = 0; i < keep; i++) total += candidates[i].Weight = Math.Exp(candidates[i].Weight - max);
        // Nucleus: the smallest prefix whose mass reaches top-p.
        double mass = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++)
        {
            mass += candidates[i].Weight / total;
            if (mass >= topP) { nucleus = i + 1; break; }
        }
        double kept = 0;
        for (int i = 0; i < nucleus; i++) kept += candidates[i].Weight;
        double draw = _random.NextDouble() * kept;
        for (int i = 0; i < nucleus; i++)
        {
            draw -= candidates[i].Weight;
            if (draw <= 0) return candidates[i].Id;
        }
        return candidates[nucleus - 1].Id;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
