namespace Isrm.Model.Tasks.Text;

/// <summary>Lookup of the text tasks of <see cref="TaskRegistry"/> by name.</summary>
public static class TextTasks
{
    public static IReadOnlyList<ITextTask> All => TaskRegistry.Text;

    /// <summary>The task of that name, or null.</summary>
    public static ITextTask? Find(string? name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The task of that name; anything else is one sentence.</summary>
    public static ITextTask Parse(string? name) =>
        Find(name) ?? throw new ArgumentException($"unknown text task '{name}': use {string.Join(" or ", All.Select(t => t.Name))}.");

    /// <summary>One training or evaluation sequence: prompt, answer and a newline.</summary>
    public static string Sequence(this ITextTask task, string prompt) => prompt + task.Answer(prompt) + "\n";
}
