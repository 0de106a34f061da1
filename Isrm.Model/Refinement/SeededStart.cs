namespace Isrm.Model.Refinement;

/// <summary>
/// A random initial state drawn from (seed, position) alone: the same request gives the same start, and a position's
/// start does not depend on how the sequence was split into calls (cached decode = full recompute).
/// </summary>
public static class SeededStart
{
    /// <summary>N(0, std²) values for positions offset … offset+length−1, laid out (length, 2, width): y's start, then z's.</summary>
    public static float[] Draw(ulong seed, int offset, int length, int width, float std)
    {
        var values = new float[length * 2 * width];
        for (int p = 0; p < length; p++)
        {
            var random = new Random(unchecked((int)Mix(seed, (ulong)(offset + p))));
            for (int i = 0; i < 2 * width; i += 2)
            {
                // Box–Muller: two independent normals from two uniforms.
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                double radius = Math.Sqrt(-2.0 * Math.Log(u1)) * std, angle = 2 * Math.PI * u2;
                values[p * 2 * width + i] = (float)(radius * Math.Cos(angle));
                values[p * 2 * width + i + 1] = (float)(radius * Math.Sin(angle));
            }
        }
        return values;
    }

    // SplitMix64 finaliser over seed and position: neighbouring positions get unrelated streams.
    internal static ulong Mix(ulong seed, ulong position)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL * (position + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A seed for <see cref="Random"/> from a seed and the parts that pick one stream of it (a step, a size, a task),
    /// equal in every process (unlike <see cref="HashCode.Combine{T1,T2}"/>, whose seed is randomised at start-up).
    /// </summary>
    public static int Stream(long seed, params long[] parts)
    {
        ulong z = (ulong)seed;
        foreach (long part in parts) z = Mix(z, (ulong)part);
        return (int)(z & int.MaxValue);
    }
}
