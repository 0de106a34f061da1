namespace Isrm.Web.State;

/// <summary>
/// KL(P‖Q) between two steps' reported top-token lists. Only the top-k are known, so the rest of each distribution
/// is one "other" bucket and tokens missing on one side get a small floor: an approximation over top-k.
/// </summary>
public static class TopTokenDivergence
{
    private const double Floor = 1e-6;

    public static double ApproximateKl(IReadOnlyList<TopToken> p, IReadOnlyList<TopToken> q)
    {
        var support = p.Select(t => t.Token).Union(q.Select(t => t.Token)).ToList();
        double[] pv = Distribution(p, support);
        double[] qv = Distribution(q, support);
        double kl = 0;
        for (int i = 0; i < pv.Length; i++)
            if (pv[i] > 0) kl += pv[i] * Math.Log(pv[i] / qv[i]);
        return Math.Max(0, kl);
    }

    /// <summary>Probabilities over <paramref name="support"/> plus a final "other" bucket, floored and normalised.</summary>
    private static double[] Distribution(IReadOnlyList<TopToken> top, List<string> support)
    {
        var byToken = top.GroupBy(t => t.Token).ToDictionary(g => g.Key, g => g.Sum(t => Math.Max(0, t.Prob)));
        var v = new double[support.Count + 1];
        for (int i = 0; i < support.Count; i++) v[i] = Math.Max(Floor, byToken.GetValueOrDefault(support[i]));
        v[^1] = Math.Max(Floor, 1 - byToken.Values.Sum());
        double sum = v.Sum();
        for (int i = 0; i < v.Length; i++) v[i] /= sum;
        return v;
    }
}
