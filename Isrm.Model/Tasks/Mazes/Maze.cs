namespace Isrm.Model.Tasks.Mazes;

/// <summary>
/// Maze grids: cell codes, and the ground truth by breadth-first search. The answer is the shortest S–E path, which
/// must be unique; in a perfect maze (a spanning tree of the cells) it is the only path.
/// </summary>
public static class Maze
{
    public const byte Wall = 0, Open = 1, Start = 2, End = 3;

    /// <summary>
    /// Builds a maze instance from a square grid of odd side 2n+1, or throws <see cref="PuzzleFormatException"/>
    /// when it has no S, no E, more than one of either, no path from S to E, or two shortest paths.
    /// </summary>
    public static Puzzle FromGrid(byte[] cells, int side)
    {
        if (side < 3 || side % 2 == 0)
            throw new PuzzleFormatException($"a maze must be a square of odd side 2n+1 ≥ 3 (got {side}).");
        int starts = cells.Count(c => c == Start), ends = cells.Count(c => c == End);
        if (starts != 1 || ends != 1)
            throw new PuzzleFormatException($"a maze needs exactly one S and one E (found {starts} S and {ends} E).");
        bool[] target = ShortestPath(cells, side, side);
        return new Puzzle(MazesTask.Instance, (side - 1) / 2, side, side, cells, target);
    }

    /// <summary>The cells of the unique shortest S–E path (4-neighbour moves through non-wall cells).</summary>
    public static bool[] ShortestPath(byte[] cells, int height, int width)
    {
        int n = height * width, start = Array.IndexOf(cells, Start), end = Array.IndexOf(cells, End);
        var distance = new int[n];
        var ways = new byte[n];   // number of shortest paths from S, saturated at 2
        Array.Fill(distance, -1);
        distance[start] = 0;
        ways[start] = 1;
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            int at = queue.Dequeue();
            foreach (int next in Neighbours(at, height, width))
            {
                if (cells[next] == Wall) continue;
                if (distance[next] < 0) { distance[next] = distance[at] + 1; queue.Enqueue(next); }
                if (distance[next] == distance[at] + 1) ways[next] = (byte)Math.Min(2, ways[next] + ways[at]);
            }
        }
        if (distance[end] < 0) throw new PuzzleFormatException("the maze has no path from S to E.");
        if (ways[end] > 1) throw new PuzzleFormatException("the maze has more than one shortest path from S to E, so its answer is not unique.");
        var path = new bool[n];
        for (int at = end; ; )
        {
            path[at] = true;
            if (at == start) break;
            at = Neighbours(at, height, width).First(p => distance[p] == distance[at] - 1 && cells[p] != Wall);
        }
        return path;
    }

    /// <summary>True when the open cells form a tree (connected, no cycle): a perfect maze, one path between any two cells.</summary>
    public static bool IsPerfect(byte[] cells, int height, int width)
    {
        int open = 0, edges = 0, first = -1;
        for (int i = 0; i < cells.Length; i++)
        {
            if (cells[i] == Wall) continue;
            open++;
            if (first < 0) first = i;
            int r = i / width, c = i % width;
            if (c + 1 < width && cells[i + 1] != Wall) edges++;
            if (r + 1 < height && cells[i + width] != Wall) edges++;
        }
        if (open == 0 || edges != open - 1) return false;
        var seen = new bool[cells.Length];
        var stack = new Stack<int>([first]);
        seen[first] = true;
        int reached = 0;
        while (stack.Count > 0)
        {
            int at = stack.Pop();
            reached++;
            foreach (int next in Neighbours(at, height, width))
                if (cells[next] != Wall && !seen[next]) { seen[next] = true; stack.Push(next); }
        }
        return reached == open;
    }

    private static IEnumerable<int> Neighbours(int at, int height, int width)
    {
        int r = at / width, c = at % width;
        if (r > 0) yield return at - width;
        if (r + 1 < height) yield return at + width;
        if (c > 0) yield return at - 1;
        if (c + 1 < width) yield return at + 1;
    }
}
