namespace Isrm.Model.Reasoning;

/// <summary>The easy-to-hard reasoning tasks: prefix sums (bit strings) and mazes (grids).</summary>
public enum PuzzleTask { PrefixSums, Mazes }

/// <summary>Names of tasks as the command line, files and JSON spell them.</summary>
public static class PuzzleTasks
{
    public static string Name(this PuzzleTask task) => task == PuzzleTask.Mazes ? "mazes" : "prefix-sums";

    /// <summary>Parses "mazes" or "prefix-sums"; anything else is one sentence.</summary>
    public static PuzzleTask Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "mazes" or "maze" => PuzzleTask.Mazes,
        "prefix-sums" or "prefix-sum" or "prefixsums" => PuzzleTask.PrefixSums,
        _ => throw new PuzzleFormatException($"unknown task '{name}': use prefix-sums or mazes."),
    };
}

/// <summary>A puzzle file, size or request a user can get wrong: the message is one sentence.</summary>
public sealed class PuzzleFormatException(string message) : ArgumentException(message);
