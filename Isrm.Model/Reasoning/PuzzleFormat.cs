namespace Isrm.Model.Reasoning;

/// <summary>Largest instances a reader accepts, so a hostile file is refused in one sentence instead of exhausting memory.</summary>
public sealed record PuzzleLimits
{
    public int MaxBits { get; init; } = 4096;
    public int MaxMazeSize { get; init; } = 127;
    public int MaxInstances { get; init; } = 100_000;
    public long MaxChars { get; init; } = 64L << 20;
}

/// <summary>
/// The plain puzzle files. Prefix sums: one instance per line, only '0' and '1'. Mazes: blocks of lines of '#', '.',
/// 'S', 'E', all of one length, (2n+1) lines of 2n+1 characters, blocks separated by one blank line. Ground truth is
/// computed, never read.
/// </summary>
public static class PuzzleFormat
{
    public static string Write(Puzzle puzzle)
    {
        var text = new StringBuilder();
        for (int r = 0; r < puzzle.Height; r++)
        {
            if (r > 0) text.Append('\n');
            for (int c = 0; c < puzzle.Width; c++) text.Append(Symbol(puzzle.Task, puzzle.Cells[r * puzzle.Width + c]));
        }
        return text.ToString();
    }

    /// <summary>All instances, each followed by a newline; maze blocks separated by a blank line.</summary>
    public static string WriteAll(IEnumerable<Puzzle> puzzles)
    {
        var text = new StringBuilder();
        foreach (Puzzle p in puzzles)
        {
            if (p.Task == PuzzleTask.Mazes && text.Length > 0) text.Append('\n');
            text.Append(Write(p)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Reads a file; a missing, empty, oversized or malformed file is one sentence (<see cref="PuzzleFormatException"/>).</summary>
    public static IReadOnlyList<Puzzle> ReadFile(PuzzleTask task, string path, PuzzleLimits? limits = null)
    {
        limits ??= new PuzzleLimits();
        if (!File.Exists(path)) throw new PuzzleFormatException($"puzzle file '{path}' does not exist.");
        if (new FileInfo(path).Length > limits.MaxChars)
            throw new PuzzleFormatException($"puzzle file '{path}' is larger than {limits.MaxChars >> 20} MB.");
        return Read(task, File.ReadAllText(path), limits);
    }

    /// <summary>Parses every instance of <paramref name="text"/>; errors name the line.</summary>
    public static IReadOnlyList<Puzzle> Read(PuzzleTask task, string text, PuzzleLimits? limits = null)
    {
        limits ??= new PuzzleLimits();
        if (text.Length > limits.MaxChars) throw new PuzzleFormatException($"the puzzle text is longer than {limits.MaxChars:N0} characters.");
        string[] lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var puzzles = task == PuzzleTask.PrefixSums ? ReadBits(lines, limits) : ReadMazes(lines, limits);
        if (puzzles.Count == 0) throw new PuzzleFormatException($"the puzzle text holds no {task.Name()} instance.");
        return puzzles;
    }

    private static List<Puzzle> ReadBits(string[] lines, PuzzleLimits limits)
    {
        var puzzles = new List<Puzzle>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0) continue;
            if (line.Length > limits.MaxBits)
                throw new PuzzleFormatException($"line {i + 1} has {line.Length:N0} bits; the limit is {limits.MaxBits:N0}.");
            int bad = line.AsSpan().IndexOfAnyExcept('0', '1');
            if (bad >= 0) throw new PuzzleFormatException($"line {i + 1} has '{line[bad]}' at column {bad + 1}; a prefix-sum line holds only 0 and 1.");
            if (puzzles.Count >= limits.MaxInstances) throw new PuzzleFormatException($"the file holds more than {limits.MaxInstances:N0} instances.");
            puzzles.Add(Puzzle.PrefixSum(line.Select(ch => (byte)(ch - '0')).ToArray()));
        }
        return puzzles;
    }

    private static List<Puzzle> ReadMazes(string[] lines, PuzzleLimits limits)
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
            try { puzzles.Add(ParseMaze(block, first, limits)); }
            catch (PuzzleFormatException e) { throw new PuzzleFormatException($"maze {puzzles.Count + 1} (line {first + 1}): {e.Message}"); }
        }
        return puzzles;
    }

    private static Puzzle ParseMaze(List<string> block, int firstLine, PuzzleLimits limits)
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

    private static char Symbol(PuzzleTask task, byte code) => task == PuzzleTask.PrefixSums
        ? (char)('0' + code)
        : code switch { Maze.Wall => '#', Maze.Open => '.', Maze.Start => 'S', _ => 'E' };
}
