namespace Isrm.Model.Reasoning;

/// <summary>Puzzles of one shape as network inputs and targets.</summary>
public static class PuzzleTensors
{
    /// <summary>
    /// x: the task's channels per cell (<see cref="PuzzleTask.Encode"/>), (B, C, H, W) for a 2-D task and (B, C, L) for
    /// strings. Target (B, N) of class indices, N = H·W or L.
    /// </summary>
    public static (Tensor X, Tensor Target) Build(IReadOnlyList<Puzzle> puzzles, Device? device = null)
    {
        Puzzle first = puzzles[0];
        if (puzzles.Any(p => p.Task != first.Task || p.Height != first.Height || p.Width != first.Width))
            throw new ArgumentException("a batch holds puzzles of one task and one shape.");
        int b = puzzles.Count, n = first.CellCount, channels = first.Task.InputChannels;
        var x = new float[b * channels * n];
        var target = new long[b * n];
        for (int i = 0; i < b; i++)
        {
            first.Task.Encode(puzzles[i], x.AsSpan(i * channels * n, channels * n));
            bool[] t = puzzles[i].Target;
            for (int j = 0; j < n; j++) target[i * n + j] = t[j] ? 1 : 0;
        }
        long[] shape = first.Task.TwoDimensional ? [b, channels, first.Height, first.Width] : [b, channels, n];
        Tensor xs = tensor(x, shape, device: device), ts = tensor(target, [b, n], device: device);
        return (xs, ts);
    }
}
