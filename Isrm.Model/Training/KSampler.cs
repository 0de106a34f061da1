namespace Isrm.Model.Training;

/// <summary>
/// Draws the refinement depth K of each batch: uniform, or heavy-tailed (1 + Poisson(λ), λ log-normal). With a
/// curriculum (<see cref="TrainingOptions.KCurriculumSteps"/>), the largest K and the mean grow linearly from KMin to
/// their full values over the first that-many steps.
/// </summary>
public static class KSampler
{
    public static int Sample(TrainingOptions options, Random random, int step = int.MaxValue)
    {
        double progress = options.KCurriculumSteps > 0 ? Math.Min(1.0, (step + 1.0) / options.KCurriculumSteps) : 1.0;
        int kMax = options.KMin + (int)Math.Round((options.KMax - options.KMin) * progress);
        if (options.KDistribution == KDistribution.Uniform) return random.Next(options.KMin, kMax + 1);
        // log λ ~ N(log(mean) − σ²/2, σ²) so that E[λ] = mean − 1 and E[K] = mean before capping.
        const double sigma = 0.5;
        double kMean = options.KMin + (options.KMean - options.KMin) * progress;
        double mu = Math.Log(Math.Max(kMean - 1, 1e-3)) - sigma * sigma / 2;
        double lambda = Math.Exp(mu + sigma * Gaussian(random));
        int k = 1 + Poisson(lambda, random);
        return Math.Clamp(k, options.KMin, kMax);
    }

    /// <summary>A task batch's K, tied to its instances' size: ceil(size · KPerSize) + uniform 0 … KExtra.</summary>
    public static int ForSize(TrainingOptions options, int size, Random random) =>
        ForSize(options, size) - options.KExtra + random.Next(0, options.KExtra + 1);

    /// <summary>The largest K a task batch of this size trains with (validation reads there).</summary>
    public static int ForSize(TrainingOptions options, int size) =>
        Math.Max(1, (int)Math.Ceiling(size * options.KPerSize - 1e-9)) + options.KExtra;

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int Poisson(double lambda, Random random)
    {
        // Knuth's method; λ here is small (tens at most).
        double limit = Math.Exp(-lambda), product = random.NextDouble();
        int count = 0;
        while (product > limit) { product *= random.NextDouble(); count++; }
        return count;
    }
}
