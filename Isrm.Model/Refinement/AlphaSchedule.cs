namespace Isrm.Model.Refinement;

/// <summary>Step sizes α_k (k = 1, 2, …) of the update y ← y + α_k (f(·) − y).</summary>
public static class AlphaSchedule
{
    /// <summary>α_k for the configured schedule; a transformer applies its blocks once with α = 1.</summary>
    public static float Alpha(IsrmConfig config, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "steps count from 1");
        if (config.IsSinglePass) return 1f;
        return config.AlphaSchedule switch
        {
            AlphaScheduleKind.Whitepaper => (float)Whitepaper(k),
            AlphaScheduleKind.Constant => config.AlphaC,
            AlphaScheduleKind.Harmonic => config.AlphaC / (k + 1f),
            _ => throw new InvalidOperationException(config.AlphaSchedule.ToString()),
        };
    }

    /// <summary>Whitepaper §3.3: 0.15 / (1 + 0.15 k) · 0.97^k. Its sum converges (≈ 1.41), so the iteration freezes short of a fixed point (reports/scaling.md).</summary>
    public static double Whitepaper(int k) => 0.15 / (1 + 0.15 * k) * Math.Pow(0.97, k);

    /// <summary>Π_{k ≤ K} (1 − α_k): the distance left to the fixed point of a perfectly contractive f after K steps.</summary>
    public static double RemainingFraction(Func<int, double> alpha, int steps)
    {
        double remaining = 1;
        for (int k = 1; k <= steps; k++) remaining *= 1 - alpha(k);
        return remaining;
    }
}
