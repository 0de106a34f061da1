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
/// The plain puzzle files: each instance as lines of its task's symbols (prefix sums: one line of '0' and '1'; mazes:
/// 2n+1 lines of '#', '.', 'S', 'E'), instances separated by the task's separator (mazes: a blank line). The task
/// reads its lines; ground truth is computed, never read.
/// </summary>
public static class PuzzleFormat
{
    public static string Write(Puzzle puzzle)
    {
        var text = new StringBuilder();
        for (int r = 0; r < puzzle.Height; r++)
        {
            if (r > 0) text.Append('\n');
            for (int c = 0; c < puzzle.Width; c++) text.Append(puzzle.Task.Symbol(puzzle.Cells[r * puzzle.Width + c]));
        }
        return text.ToString();
    }

    /// <summary>All instances, each followed by a newline and, between two, its task's separator.</summary>
    public static string WriteAll(IEnumerable<Puzzle> puzzles)
    {
        var text = new StringBuilder();
        foreach (Puzzle p in puzzles)
        {
            if (text.Length > 0) text.Append(p.Task.Separator);
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
        var puzzles = task.Read(lines, limits);
        if (puzzles.Count == 0) throw new PuzzleFormatException($"the puzzle text holds no {task.Name} instance.");
        return puzzles;
    }
}
