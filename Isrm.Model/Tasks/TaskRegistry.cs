using Isrm.Model.Tasks.Addition;
using Isrm.Model.Tasks.Mazes;
using Isrm.Model.Tasks.Parity;
using Isrm.Model.Tasks.PrefixSums;

namespace Isrm.Model.Tasks;

/// <summary>
/// Every task, registered in this one place. A task is a folder beside this file: puzzles subclass
/// <see cref="PuzzleTask"/> (solved by a puzzle network on the Puzzles page), text tasks implement
/// <see cref="Text.ITextTask"/> (typed to the ISRM itself in the chat). Nothing else lists tasks or switches on
/// their names.
/// </summary>
public static class TaskRegistry
{
    public static IReadOnlyList<PuzzleTask> Puzzles { get; } = [MazesTask.Instance, PrefixSumsTask.Instance];

    public static IReadOnlyList<Text.ITextTask> Text { get; } = [new AdditionTask(), new ParityTask()];

    /// <summary>Every task's name, puzzles first.</summary>
    public static IEnumerable<string> AllNames => Puzzles.Select(t => t.Name).Concat(Text.Select(t => t.Name));

    /// <summary>The one sentence for a name that is no task of any kind.</summary>
    public static PuzzleFormatException Unknown(string? name) => new($"unknown task '{name}': use {Names(AllNames)}.");

    /// <summary>"a, b or c": names for sentences and help texts.</summary>
    public static string Names(IEnumerable<string> names)
    {
        string[] all = [.. names];
        return all.Length < 2 ? string.Join("", all) : $"{string.Join(", ", all[..^1])} or {all[^1]}";
    }
}
