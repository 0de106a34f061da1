namespace Isrm.Research.Probes;

/// <summary>
/// Associative recall without extra training: a random key string, G tokens of real text, then the key again. The
/// recall gain at gap G is the loss on the second copy when a different random string came first minus the loss when
/// the same key came first (nats/token): how much the model still uses the first copy. A fixed-size state forgets as G
/// grows; attention does not, up to its context. The recall limit is the largest gap whose gain is at least half the
/// gain at the smallest gap.
/// </summary>
public static class RecallProbe
{
    /// <summary>Below this gain (nats/token) at the smallest gap the model shows no recall worth locating a limit for.</summary>
    public const double MinimumGain = 0.05;

    /// <summary>Key length, samples per gap, the filler text and the seed.</summary>
    public sealed record Settings(int KeyLength = 16, int Samples = 24, int Seed = 1, int K = 8);

    /// <summary>Loss on the second copy with and without a matching first copy, per gap.</summary>
    public sealed record Point(int Gap, double LossWithKey, double LossWithoutKey)
    {
        public double Gain => LossWithoutKey - LossWithKey;
    }

    /// <summary>Points per gap and the recall limit (null when the gain at the smallest gap is below <see cref="MinimumGain"/>).</summary>
    public sealed record Result(IReadOnlyList<Point> Points, int? RecallLimit, int MaxContext);

    public static Result Run(IsrmModel model, ITextTokenizer tokenizer, string filler, IReadOnlyList<int> gaps, Settings settings, Action<string>? progress = null)
    {
        int[] fillerTokens = tokenizer.Encode(filler);
        int maxContext = model.Config.ReadableContext;
        var random = new Random(settings.Seed);
        var points = new List<Point>();
        foreach (int gap in gaps.Order())
        {
            int length = 2 * settings.KeyLength + gap;
            if (length > maxContext) break;   // attention cannot see past its context: no measurement, not a zero
            if (gap > fillerTokens.Length - 1) throw new ArgumentException($"the filler text has {fillerTokens.Length} tokens, fewer than the gap {gap}.");
            var same = new long[settings.Samples * length];
            var different = new long[settings.Samples * length];
            for (int s = 0; s < settings.Samples; s++)
            {
                int[] key = Key(tokenizer, settings.KeyLength, random), decoy = Key(tokenizer, settings.KeyLength, random);
                int start = random.Next(fillerTokens.Length - gap);
                int[] middle = fillerTokens[start..(start + gap)];
                int[] a = [.. key, .. middle, .. key], b = [.. decoy, .. middle, .. key];
                for (int t = 0; t < length; t++) { same[s * length + t] = a[t]; different[s * length + t] = b[t]; }
            }
            double withKey = SecondCopyLoss(model, same, settings, length), withoutKey = SecondCopyLoss(model, different, settings, length);
            points.Add(new Point(gap, withKey, withoutKey));
            progress?.Invoke($"gap {gap}: gain {withoutKey - withKey:F3}");
        }
        int? limit = null;
        if (points.Count > 0 && points[0].Gain >= MinimumGain)
            limit = points.Where(p => p.Gain >= points[0].Gain / 2).Max(p => p.Gap);
        return new Result(points, limit, maxContext == int.MaxValue ? 0 : maxContext);
    }

    // Mean NLL of the second copy's tokens after its first (the first token of a copy cannot be predicted from the key).
    private static double SecondCopyLoss(IsrmModel model, long[] data, Settings settings, int length)
    {
        using var scope = NewDisposeScope();
        Tensor tokens = tensor(data, new long[] { settings.Samples, length }, device: model.Device);
        Tensor inputs = tokens.narrow(1, 0, length - 1), targets = tokens.narrow(1, 1, length - 1);
        Tensor logProbs = StateReader.Batched(inputs, 8, b => StateReader.LogProbs(model, b, settings.K));   // (S, L−1, V)
        Tensor nll = -logProbs.gather(-1, targets.unsqueeze(-1)).squeeze(-1);                                     // (S, L−1)
        int from = length - settings.KeyLength;                 // target index of the copy's second token
        return nll.narrow(1, from, settings.KeyLength - 1).mean().item<float>();
    }

    private static int[] Key(ITextTokenizer tokenizer, int length, Random random)
    {
        // Lowercase letters: predictable only by copying, never from language statistics beyond letter frequencies.
        int[] key = tokenizer.Encode(new string(Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(26))).ToArray()));
        return key.Length >= length ? key[..length] : [.. key, .. Enumerable.Repeat(key[^1], length - key.Length)];
    }
}
