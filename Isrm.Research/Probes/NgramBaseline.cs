namespace Isrm.Research.Probes;

/// <summary>
/// The baseline a trained classifier must beat (issue 14.4): a linear classifier (multinomial logistic regression,
/// AdamW, full batch) on a bag of token 1-, 2- and 3-grams (bytes, for byte-level checkpoints) hashed into
/// <see cref="Buckets"/> counts, log(1 + count), standardised with the training windows' statistics.
/// </summary>
public static class NgramBaseline
{
    /// <summary>Hash buckets of the n-gram counts.</summary>
    public const int Buckets = 4096;

    /// <summary>Held-out accuracy of the baseline trained on <paramref name="train"/>.</summary>
    public static double Accuracy(IReadOnlyList<GenreFineTune.Sample> train, IReadOnlyList<GenreFineTune.Sample> test, int classes, int epochs = 300, int seed = 1)
    {
        bool[] right = Correct(train, test, classes, epochs, seed);
        return right.Count(r => r) / (double)test.Count;
    }

    /// <summary>Whether the baseline trained on <paramref name="train"/> gets each window of <paramref name="test"/> right.</summary>
    public static bool[] Correct(IReadOnlyList<GenreFineTune.Sample> train, IReadOnlyList<GenreFineTune.Sample> test, int classes, int epochs = 300, int seed = 1)
    {
        using var scope = NewDisposeScope();
        Tensor trainX = Features(train), testX = Features(test);
        // Buckets constant over the training windows carry nothing learnable: zeroed, so a held-out count there cannot explode.
        Tensor mean = trainX.mean(new long[] { 0 }), std = trainX.std(0), keep = std.gt(1e-6).to_type(ScalarType.Float32);
        trainX = (trainX - mean) / std.clamp_min(1e-6) * keep;
        testX = (testX - mean) / std.clamp_min(1e-6) * keep;
        Tensor trainY = tensor(train.Select(s => (long)s.Label).ToArray());
        torch.manual_seed(seed);
        using var linear = nn.Linear(Buckets, classes);
        // full-batch epochs in the one fine-tune loop: no warm-up, no clipping, AdamW's default β2
        TaskLoop.Run([new TaskLoop.ParameterGroup(linear.parameters().ToList(), 1e-2)], _ => nn.functional.cross_entropy(linear.forward(trainX), trainY),
            epochs, double.PositiveInfinity, warmup: 1, seed, beta2: 0.999, reseed: false, clip: double.PositiveInfinity);
        using var noGrad = no_grad();
        long[] predicted = linear.forward(testX).argmax(-1).data<long>().ToArray();
        return test.Select((s, i) => predicted[i] == s.Label).ToArray();
    }

    /// <summary>log(1 + hashed 1-, 2- and 3-gram counts) per window: (N, <see cref="Buckets"/>).</summary>
    public static Tensor Features(IReadOnlyList<GenreFineTune.Sample> samples)
    {
        var data = new float[samples.Count * Buckets];
        for (int s = 0; s < samples.Count; s++)
        {
            int[] t = samples[s].Tokens;
            for (int i = 0; i < t.Length; i++)
                for (int n = 1; n <= 3 && i + n <= t.Length; n++)
                {
                    ulong hash = 14695981039346656037UL ^ (ulong)n;   // FNV-1a over (n, tokens)
                    for (int j = i; j < i + n; j++) hash = (hash ^ (ulong)t[j]) * 1099511628211UL;
                    data[s * Buckets + (int)(hash % Buckets)]++;
                }
        }
        return tensor(data, new long[] { samples.Count, Buckets }).log1p();
    }
}
