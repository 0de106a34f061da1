namespace Isrm.Web.Puzzles;

/// <summary>
/// Which steps of a solve are streamed, so that frames stay few at any K: every step up to D (the dense steps), then
/// every 2nd step up to 2D, every 4th up to 4D, and so on — D/2 more frames per doubling of K (with D = 128 at most
/// 384 frames at K = 2048). The first solved step and the last step are always sent.
/// </summary>
public static class FrameSampler
{
    /// <summary>The stride around step <paramref name="step"/>: 1 up to D, then the smallest power of two ≥ step / D.</summary>
    public static int Stride(int step, int dense)
    {
        int stride = 1;
        while ((long)stride * dense < step) stride *= 2;
        return stride;
    }

    public static bool Keep(int step, int dense) => step % Stride(step, dense) == 0;

    /// <summary>How many steps of 1…<paramref name="k"/> <see cref="Keep"/> sends (without the solved and last extras).</summary>
    public static int Count(int k, int dense)
    {
        int count = 0;
        for (int s = 1; s <= k; s++) if (Keep(s, dense)) count++;
        return count;
    }
}
