namespace Isrm.Model.Reasoning;

/// <summary>Puzzles of one shape as network inputs and targets.</summary>
public static class PuzzleTensors
{
    /// <summary>
    /// x: mazes (B, 3, H, W) channels open / S / E; prefix sums (B, 2, L) channels present / bit (padding reads as
    /// absent, so the network can find the first bit). Target (B, N) of class indices, N = H·W or L.
    /// </summary>
    public static (Tensor X, Tensor Target) Build(IReadOnlyList<Puzzle> puzzles, Device? device = null)
    {
        Puzzle first = puzzles[0];
        if (puzzles.Any(p => p.Task != first.Task || p.Height != first.Height || p.Width != first.Width))
            throw new ArgumentException("a batch holds puzzles of one task and one shape.");
        int b = puzzles.Count, n = first.CellCount, channels = first.Task == PuzzleTask.Mazes ? 3 : 2;
        var x = new float[b * channels * n];
        var target = new long[b * n];
        for (int i = 0; i < b; i++)
        {
            byte[] cells = puzzles[i].Cells;
            bool[] t = puzzles[i].Target;
            int offset = i * channels * n;
            for (int j = 0; j < n; j++)
            {
                target[i * n + j] = t[j] ? 1 : 0;
                if (first.Task == PuzzleTask.Mazes)
                {
                    x[offset + j] = cells[j] != Maze.Wall ? 1 : 0;
                    x[offset + n + j] = cells[j] == Maze.Start ? 1 : 0;
                    x[offset + 2 * n + j] = cells[j] == Maze.End ? 1 : 0;
                }
                else
                {
                    x[offset + j] = 1;
                    x[offset + n + j] = cells[j];
                }
            }
        }
        long[] shape = first.Task == PuzzleTask.Mazes ? [b, channels, first.Height, first.Width] : [b, channels, n];
        Tensor xs = tensor(x, shape, device: device), ts = tensor(target, [b, n], device: device);
        return (xs, ts);
    }

    /// <summary>Rotates by <paramref name="quarterTurns"/>·90° and optionally mirrors a maze batch (x and its target alike).</summary>
    public static (Tensor X, Tensor Target) Transform(Tensor x, Tensor target, int quarterTurns, bool mirror)
    {
        long h = x.shape[2], w = x.shape[3];
        Tensor grid = target.view(target.shape[0], h, w);
        Tensor tx = x.rot90(quarterTurns, (2, 3)), tt = grid.rot90(quarterTurns, (1, 2));
        if (mirror) { tx = tx.flip(3); tt = tt.flip(2); }
        return (tx.contiguous(), tt.reshape(target.shape[0], -1));
    }
}
