namespace Isrm.Research.Probes;

/// <summary>
/// 95 % confidence intervals for the mean of paired differences (one difference per prompt): Student's t-interval
/// and a seeded percentile bootstrap; and the Wilson interval of a proportion. Used to say whether a measured effect
/// (the critic's) is distinguishable from zero.
/// </summary>
public static class PairedInterval
{
    /// <summary>The 97.5 % quantile of the standard normal distribution.</summary>
    public const double Z975 = 1.959963984540054;

    /// <summary>Mean difference, its standard deviation, and both 95 % intervals over <see cref="Count"/> pairs.</summary>
    public sealed record Summary(int Count, double Mean, double StandardDeviation, double TLow, double THigh, double BootstrapLow, double BootstrapHigh)
    {
        /// <summary>Whether the t-interval and the bootstrap interval both contain 0 (no effect measured).</summary>
        public bool ContainsZero => TLow <= 0 && THigh >= 0 && BootstrapLow <= 0 && BootstrapHigh >= 0;
    }

    /// <summary>Both 95 % intervals of the mean of <paramref name="differences"/> (at least 2).</summary>
    public static Summary Of(IReadOnlyList<double> differences, int resamples = 10_000, int seed = 1)
    {
        int n = differences.Count;
        if (n < 2) throw new ArgumentException($"a confidence interval needs at least 2 paired differences; got {n}.");
        double mean = differences.Average();
        double sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        double half = StudentT975(n - 1) * sd / Math.Sqrt(n);
        var (low, high) = Bootstrap(differences, resamples, seed);
        return new Summary(n, mean, sd, mean - half, mean + half, low, high);
    }

    /// <summary>
    /// The 97.5 % quantile of Student's t with <paramref name="degrees"/> degrees of freedom, by the Cornish–Fisher
    /// expansion around the normal quantile (terms to 1/ν⁴; within 1e-3 of the exact value from ν = 5 on).
    /// </summary>
    public static double StudentT975(int degrees)
    {
        if (degrees < 1) throw new ArgumentException("Student's t needs at least one degree of freedom.");
        // The expansion is poor for few degrees of freedom (4.17 instead of 4.30 at 2), so the exact quantiles stand
        // in for ν ≤ 10.
        if (degrees <= SmallT.Length) return SmallT[degrees - 1];
        double z = Z975, v = degrees;
        double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z;
        double g1 = (z3 + z) / 4;
        double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
        double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
        double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
        return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
    }

    // The 97.5 % quantiles of Student's t for ν = 1 … 10 (standard tables).
    private static readonly double[] SmallT = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281];

    /// <summary>Percentile bootstrap (2.5 % and 97.5 %) of the mean: <paramref name="resamples"/> resamples with replacement.</summary>
    public static (double Low, double High) Bootstrap(IReadOnlyList<double> values, int resamples, int seed)
    {
        var random = new Random(seed);
        int n = values.Count;
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += values[random.Next(n)];
            means[r] = sum / n;
        }
        Array.Sort(means);
        return (Quantile(means, 0.025), Quantile(means, 0.975));
    }

    /// <summary>
    /// Wilson score 95 % interval of a proportion <paramref name="successes"/> / <paramref name="trials"/>: the one the
    /// solve tables use (<see cref="SolveTable.Wilson"/>), refusing an empty sample.
    /// </summary>
    public static (double Low, double High) Wilson(int successes, int trials) =>
        trials >= 1 ? SolveTable.Wilson(successes, trials) : throw new ArgumentException("a proportion needs at least one trial.");

    // Linear interpolation between order statistics of a sorted array.
    private static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
