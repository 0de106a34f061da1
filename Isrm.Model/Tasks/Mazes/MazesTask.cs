namespace Isrm.Model.Tasks.Mazes;

/// <summary>
/// Mazes: an n×n perfect maze drawn as a (2n+1)×(2n+1) grid of walls, floor, S and E; the answer marks the cells of
/// the S–E path. Variants are the generating algorithms (<see cref="MazeAlgorithm"/>); a batch is turned and mirrored.
/// </summary>
public sealed class MazesTask : PuzzleTask
{
    /// <summary>The generators a training run mixes unless told otherwise.</summary>
    public static readonly IReadOnlyList<string> TrainingMix = [MazeAlgorithm.Dfs.Name(), MazeAlgorithm.Kruskal.Name(), MazeAlgorithm.Prim.Name()];

    /// <summary>The one instance, listed in <see cref="TaskRegistry"/>.</summary>
    public static MazesTask Instance { get; } = new();

    private MazesTask() : base(
        "mazes", "Mazes (find the path from S to E)", "maze", twoDimensional: true, inputChannels: 3 /* open, S, E */, stream: 1,
        minSize: 2, defaultSize: 9, "the n of an n×n maze", "Size n (an n×n maze)", "#, ., S, E") { }

    public override IReadOnlyList<string> Aliases => ["maze"];
    public override int MaxSize(PuzzleLimits limits) => limits.MaxMazeSize;
    public override string Largest(PuzzleLimits limits) => $"{limits.MaxMazeSize}×{limits.MaxMazeSize}";
    public override IReadOnlyList<string> Variants { get; } = Enum.GetValues<MazeAlgorithm>().Select(a => a.Name()).ToArray();
    public override IReadOnlyList<string> TrainingVariants => TrainingMix;
    public override string VariantLabel => "Generator";
    public override void CheckVariant(string name) => MazeGenerator.ParseAlgorithm(name);
    public override string Separator => "\n";   // maze blocks are separated by one blank line

    public override Puzzle Generate(int size, string? variant, Random random) =>
        MazeGenerator.Generate(size, MazeGenerator.ParseAlgorithm(variant ?? TrainingMix[0]), random);

    public override void Encode(Puzzle puzzle, Span<float> x)
    {
        int n = puzzle.CellCount;
        for (int j = 0; j < n; j++)
        {
            byte cell = puzzle.Cells[j];
            x[j] = cell != Maze.Wall ? 1 : 0;
            x[n + j] = cell == Maze.Start ? 1 : 0;
            x[2 * n + j] = cell == Maze.End ? 1 : 0;
        }
    }

    public override char Symbol(byte code) => code switch { Maze.Wall => '#', Maze.Open => '.', Maze.Start => 'S', _ => 'E' };

    public override List<Puzzle> Read(string[] lines, PuzzleLimits limits)
    {
        var puzzles = new List<Puzzle>();
        int i = 0;
        while (i < lines.Length)
        {
            if (lines[i].TrimEnd().Length == 0) { i++; continue; }
            int first = i;
            var block = new List<string>();
            while (i < lines.Length && lines[i].TrimEnd().Length > 0) block.Add(lines[i++].TrimEnd());
            if (puzzles.Count >= limits.MaxInstances) throw new PuzzleFormatException($"the file holds more than {limits.MaxInstances:N0} instances.");
            try { puzzles.Add(Parse(block, first, limits)); }
            catch (PuzzleFormatException e) { throw new PuzzleFormatException($"maze {puzzles.Count + 1} (line {first + 1}): {e.Message}"); }
        }
        return puzzles;
    }

    private static Puzzle Parse(List<string> block, int firstLine, PuzzleLimits limits)
    {
        int side = block[0].Length;
        int maxSide = 2 * limits.MaxMazeSize + 1;
        if (side > maxSide || block.Count > maxSide)
            throw new PuzzleFormatException($"it is larger than the limit of {limits.MaxMazeSize}×{limits.MaxMazeSize} cells ({maxSide} characters a side).");
        var cells = new byte[side * side];
        for (int r = 0; r < block.Count; r++)
        {
            if (block[r].Length != side)
                throw new PuzzleFormatException($"line {firstLine + r + 1} has {block[r].Length} characters where the first has {side}: every line must be the same length.");
            for (int c = 0; c < side; c++)
            {
                byte code = block[r][c] switch
                {
                    '#' => Maze.Wall, '.' => Maze.Open, 'S' => Maze.Start, 'E' => Maze.End,
                    char other => throw new PuzzleFormatException($"line {firstLine + r + 1} has '{other}' at column {c + 1}; a maze uses only #, ., S and E."),
                };
                if (r < side) cells[r * side + c] = code;
            }
        }
        if (block.Count != side)
            throw new PuzzleFormatException($"it has {block.Count} lines of {side} characters; a maze must be square (2n+1 lines of 2n+1).");
        return Maze.FromGrid(cells, side);
    }

    public override string Describe(Puzzle p) =>
        $"A maze of {p.Size}×{p.Size} cells ({p.Height}×{p.Width} grid), its path {p.Target.Count(t => t)} grid cells long";

    /// <summary>Turns (B, C, H, W) inputs and their (B, H·W) targets alike.</summary>
    public override (Tensor X, Tensor Target) Transform(Tensor x, Tensor target, int quarterTurns, bool mirror)
    {
        long h = x.shape[2], w = x.shape[3];
        Tensor grid = target.view(target.shape[0], h, w);
        Tensor tx = x.rot90(quarterTurns, (2, 3)), tt = grid.rot90(quarterTurns, (1, 2));
        if (mirror) { tx = tx.flip(3); tt = tt.flip(2); }
        return (tx.contiguous(), tt.reshape(target.shape[0], -1));
    }

    public override string EditHint =>
        "Edit the maze here: click a cell to turn a wall into floor or back; drag S or E to move it. Pasted or edited, the maze is checked the same way.";

    /// <summary>
    /// Pressing and releasing on one cell toggles it between wall and floor; a drag from S or E moves that mark onto the
    /// floor or wall cell where it is dropped (the cell it leaves becomes floor). Outside the grid nothing happens.
    /// </summary>
    public override string? Edit(string text, int row, int col, int toRow, int toCol)
    {
        char[][] grid = text.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.ToCharArray()).ToArray();
        bool Inside(int r, int c) => r >= 0 && r < grid.Length && c >= 0 && c < grid[r].Length;
        if (!Inside(row, col) || !Inside(toRow, toCol)) return null;
        char at = grid[row][col];
        if (row == toRow && col == toCol)
        {
            if (at is not ('#' or '.')) return null;
            grid[row][col] = at == '#' ? '.' : '#';
        }
        else
        {
            if (at is not ('S' or 'E') || grid[toRow][toCol] is 'S' or 'E') return null;
            grid[toRow][toCol] = at;
            grid[row][col] = '.';
        }
        return string.Join('\n', grid.Select(l => new string(l)));
    }
}
