namespace Isrm.Model.Tasks.Mazes;

/// <summary>Algorithms that make perfect mazes (spanning trees of the n×n cells), each with its own texture.</summary>
public enum MazeAlgorithm { Dfs, Kruskal, Prim, Wilson, Division, HuntAndKill, Sidewinder, BinaryTree, GrowingTree }

/// <summary>
/// Seeded perfect-maze generators. Cell (r, c) of an n×n maze sits at (2r+1, 2c+1) of the (2n+1)×(2n+1) grid and
/// the passage between two neighbouring cells at the grid point between them. S and E are two distinct random cells.
/// </summary>
public static class MazeGenerator
{
    /// <summary>The name on the command line: kebab case (dfs, hunt-and-kill, binary-tree, …).</summary>
    public static string Name(this MazeAlgorithm algorithm) =>
        string.Concat(algorithm.ToString().Select((ch, i) => char.IsUpper(ch) && i > 0 ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    public static MazeAlgorithm ParseAlgorithm(string name)
    {
        string wanted = name.Trim().ToLowerInvariant();
        foreach (MazeAlgorithm a in Enum.GetValues<MazeAlgorithm>())
            if (a.Name() == wanted || a.ToString().ToLowerInvariant() == wanted) return a;
        throw new PuzzleFormatException($"unknown maze generator '{name}': use {string.Join(", ", Enum.GetValues<MazeAlgorithm>().Select(Name))}.");
    }

    public static Puzzle Generate(int n, MazeAlgorithm algorithm, Random random)
    {
        if (n < 2) throw new PuzzleFormatException($"a maze needs at least 2×2 cells (got {n}).");
        int side = 2 * n + 1;
        var cells = new byte[side * side];
        var carver = new Carver(cells, n, side);
        switch (algorithm)
        {
            case MazeAlgorithm.Dfs: Dfs(carver, random); break;
            case MazeAlgorithm.Kruskal: Kruskal(carver, random); break;
            case MazeAlgorithm.Prim: Prim(carver, random); break;
            case MazeAlgorithm.Wilson: Wilson(carver, random); break;
            case MazeAlgorithm.Division: Division(carver, n); DivideChamber(carver, random, 0, 0, n, n); break;
            case MazeAlgorithm.HuntAndKill: HuntAndKill(carver, random); break;
            case MazeAlgorithm.Sidewinder: Sidewinder(carver, random); break;
            case MazeAlgorithm.BinaryTree: BinaryTree(carver, random); break;
            case MazeAlgorithm.GrowingTree: GrowingTree(carver, random); break;
        }
        int s = random.Next(n * n), e = random.Next(n * n - 1);
        if (e >= s) e++;
        cells[carver.Grid(s)] = Maze.Start;
        cells[carver.Grid(e)] = Maze.End;
        return Maze.FromGrid(cells, side);
    }

    /// <summary>Opens cells and the passages between them on the grid.</summary>
    private sealed class Carver(byte[] cells, int n, int side)
    {
        public int N => n;
        public int Grid(int cell) => (2 * (cell / n) + 1) * side + 2 * (cell % n) + 1;
        public void Open(int cell) => cells[Grid(cell)] = Maze.Open;
        public void Join(int a, int b) { Open(a); Open(b); cells[(Grid(a) + Grid(b)) / 2] = Maze.Open; }
        public void Close(int a, int b) => cells[(Grid(a) + Grid(b)) / 2] = Maze.Wall;
        public IEnumerable<int> Neighbours(int cell)
        {
            int r = cell / n, c = cell % n;
            if (r > 0) yield return cell - n;
            if (r + 1 < n) yield return cell + n;
            if (c > 0) yield return cell - 1;
            if (c + 1 < n) yield return cell + 1;
        }
    }

    // Recursive backtracker: long winding corridors, few branches.
    private static void Dfs(Carver m, Random random)
    {
        var visited = new bool[m.N * m.N];
        int start = random.Next(visited.Length);
        var stack = new Stack<int>([start]);
        visited[start] = true;
        m.Open(start);
        while (stack.Count > 0)
        {
            int at = stack.Peek();
            int[] fresh = m.Neighbours(at).Where(c => !visited[c]).ToArray();
            if (fresh.Length == 0) { stack.Pop(); continue; }
            int next = fresh[random.Next(fresh.Length)];
            visited[next] = true;
            m.Join(at, next);
            stack.Push(next);
        }
    }

    // Random edges joined when they connect two trees (union–find): many short dead ends.
    private static void Kruskal(Carver m, Random random)
    {
        int cells = m.N * m.N;
        var parent = Enumerable.Range(0, cells).ToArray();
        int Find(int a) { while (parent[a] != a) a = parent[a] = parent[parent[a]]; return a; }
        var edges = new List<(int, int)>();
        for (int c = 0; c < cells; c++)
            foreach (int d in m.Neighbours(c)) if (d > c) edges.Add((c, d));
        foreach (var (a, b) in edges.OrderBy(_ => random.Next()).ToArray())
        {
            int ra = Find(a), rb = Find(b);
            if (ra == rb) continue;
            parent[ra] = rb;
            m.Join(a, b);
        }
    }

    // Randomised Prim: grows one tree from a random frontier edge; short branches radiating out.
    private static void Prim(Carver m, Random random)
    {
        var inTree = new bool[m.N * m.N];
        int start = random.Next(inTree.Length);
        inTree[start] = true;
        m.Open(start);
        var frontier = m.Neighbours(start).Select(d => (start, d)).ToList();
        while (frontier.Count > 0)
        {
            int i = random.Next(frontier.Count);
            var (from, to) = frontier[i];
            frontier[i] = frontier[^1];
            frontier.RemoveAt(frontier.Count - 1);
            if (inTree[to]) continue;
            inTree[to] = true;
            m.Join(from, to);
            foreach (int d in m.Neighbours(to)) if (!inTree[d]) frontier.Add((to, d));
        }
    }

    // Loop-erased random walks: a uniformly random spanning tree.
    private static void Wilson(Carver m, Random random)
    {
        int cells = m.N * m.N;
        var inTree = new bool[cells];
        var next = new int[cells];
        int root = random.Next(cells);
        inTree[root] = true;
        m.Open(root);
        for (int start = 0; start < cells; start++)
        {
            if (inTree[start]) continue;
            for (int at = start; !inTree[at]; at = next[at])
            {
                int[] options = m.Neighbours(at).ToArray();
                next[at] = options[random.Next(options.Length)];   // overwriting erases loops
            }
            for (int at = start; !inTree[at]; at = next[at]) { inTree[at] = true; m.Join(at, next[at]); }
        }
    }

    // Recursive division: start from an open field and split chambers by walls with one gap: long straight walls.
    private static void Division(Carver m, int n)
    {
        for (int c = 0; c < n * n; c++)
            foreach (int d in m.Neighbours(c)) if (d > c) m.Join(c, d);
    }

    private static void DivideChamber(Carver m, Random random, int row, int col, int height, int width)
    {
        if (height < 2 || width < 2) return;
        bool horizontal = height > width || (height == width && random.Next(2) == 0);
        int n = m.N;
        if (horizontal)
        {
            int split = row + random.Next(height - 1);        // wall below row 'split'
            int gap = col + random.Next(width);
            for (int c = col; c < col + width; c++)
                if (c != gap) m.Close(split * n + c, (split + 1) * n + c);
            DivideChamber(m, random, row, col, split - row + 1, width);
            DivideChamber(m, random, split + 1, col, row + height - split - 1, width);
        }
        else
        {
            int split = col + random.Next(width - 1);
            int gap = row + random.Next(height);
            for (int r = row; r < row + height; r++)
                if (r != gap) m.Close(r * n + split, r * n + split + 1);
            DivideChamber(m, random, row, col, height, split - col + 1);
            DivideChamber(m, random, row, split + 1, height, col + width - split - 1);
        }
    }

    // Random walk until stuck, then scan for an unvisited cell next to the maze and continue from there.
    private static void HuntAndKill(Carver m, Random random)
    {
        int cells = m.N * m.N;
        var visited = new bool[cells];
        int at = random.Next(cells);
        visited[at] = true;
        m.Open(at);
        while (true)
        {
            int[] fresh = m.Neighbours(at).Where(c => !visited[c]).ToArray();
            if (fresh.Length > 0)
            {
                int next = fresh[random.Next(fresh.Length)];
                visited[next] = true;
                m.Join(at, next);
                at = next;
                continue;
            }
            int hunted = -1;
            for (int c = 0; c < cells && hunted < 0; c++)
                if (!visited[c] && m.Neighbours(c).Any(d => visited[d])) hunted = c;
            if (hunted < 0) return;
            int[] inMaze = m.Neighbours(hunted).Where(d => visited[d]).ToArray();
            visited[hunted] = true;
            m.Join(hunted, inMaze[random.Next(inMaze.Length)]);
            at = hunted;
        }
    }

    // Row by row: runs of cells joined eastwards, each run joined north once; the top row is one long corridor.
    private static void Sidewinder(Carver m, Random random)
    {
        int n = m.N;
        for (int c = 0; c + 1 < n; c++) m.Join(c, c + 1);
        m.Open(0);
        for (int r = 1; r < n; r++)
        {
            int runStart = 0;
            for (int c = 0; c < n; c++)
            {
                int cell = r * n + c;
                m.Open(cell);
                bool closeRun = c + 1 == n || random.Next(2) == 0;
                if (!closeRun) { m.Join(cell, cell + 1); continue; }
                int chosen = r * n + runStart + random.Next(c - runStart + 1);
                m.Join(chosen, chosen - n);
                runStart = c + 1;
            }
        }
    }

    // Every cell joins its north or its west neighbour: two long corridors along the top and left edges, a diagonal texture.
    private static void BinaryTree(Carver m, Random random)
    {
        int n = m.N;
        m.Open(0);
        for (int cell = 1; cell < n * n; cell++)
        {
            int r = cell / n, c = cell % n;
            bool north = r > 0 && (c == 0 || random.Next(2) == 0);
            m.Join(cell, north ? cell - n : cell - 1);
        }
    }

    // Growing tree: extend from the newest cell half of the time and from a random one otherwise (between DFS and Prim).
    private static void GrowingTree(Carver m, Random random)
    {
        var visited = new bool[m.N * m.N];
        int start = random.Next(visited.Length);
        visited[start] = true;
        m.Open(start);
        var active = new List<int> { start };
        while (active.Count > 0)
        {
            int index = random.Next(2) == 0 ? active.Count - 1 : random.Next(active.Count);
            int at = active[index];
            int[] fresh = m.Neighbours(at).Where(c => !visited[c]).ToArray();
            if (fresh.Length == 0) { active.RemoveAt(index); continue; }
            int next = fresh[random.Next(fresh.Length)];
            visited[next] = true;
            m.Join(at, next);
            active.Add(next);
        }
    }
}
