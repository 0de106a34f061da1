namespace Isrm.Web.State;

/// <summary>A 2-D projection of vectors and the share of variance each axis explains.</summary>
public sealed record PcaProjection(IReadOnlyList<(double X, double Y)> Points, double ExplainedFirst, double ExplainedSecond);

/// <summary>Principal components by power iteration with deflation: plain arrays, no tensors.</summary>
public static class Pca2D
{
    public static PcaProjection Project(IReadOnlyList<float[]> vectors)
    {
        int n = vectors.Count;
        if (n == 0) return new PcaProjection([], 0, 0);
        int d = vectors[0].Length;
        var mean = new double[d];
        foreach (float[] v in vectors) for (int j = 0; j < d; j++) mean[j] += v[j] / (double)n;
        double[][] x = vectors.Select(v => Enumerable.Range(0, d).Select(j => v[j] - mean[j]).ToArray()).ToArray();
        double total = x.Sum(r => r.Sum(c => c * c));
        if (total <= 1e-20) return new PcaProjection(x.Select(_ => (0.0, 0.0)).ToList(), 0, 0);

        double[] first = Component(x, null, out double l1);
        double[] second = Component(x, first, out double l2);
        var points = x.Select(r => (Dot(r, first), Dot(r, second))).ToList();
        return new PcaProjection(points, l1 / total, l2 / total);
    }

    /// <summary>Top eigenvector of XᵀX (optionally orthogonal to <paramref name="exclude"/>), via X·v products only.</summary>
    private static double[] Component(double[][] x, double[]? exclude, out double eigenvalue)
    {
        int d = x[0].Length;
        var v = new double[d];
        for (int j = 0; j < d; j++) v[j] = 1.0 + 0.01 * ((j * 7919) % 13);
        eigenvalue = 0;
        for (int iter = 0; iter < 200; iter++)
        {
            if (exclude is not null) Subtract(v, exclude, Dot(v, exclude));
            double norm = Math.Sqrt(Dot(v, v));
            if (norm < 1e-30) return new double[d];
            for (int j = 0; j < d; j++) v[j] /= norm;
            var next = new double[d];
            foreach (double[] row in x)
            {
                double proj = Dot(row, v);
                for (int j = 0; j < d; j++) next[j] += proj * row[j];
            }
            eigenvalue = Dot(next, v);
            v = next;
        }
        if (exclude is not null) Subtract(v, exclude, Dot(v, exclude));
        double final = Math.Sqrt(Dot(v, v));
        if (final > 1e-30) for (int j = 0; j < d; j++) v[j] /= final;
        return v;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void Subtract(double[] v, double[] direction, double amount)
    {
        for (int j = 0; j < v.Length; j++) v[j] -= amount * direction[j];
    }
}
