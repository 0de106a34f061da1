namespace Isrm.Cli.Commands;

/// <summary>Options shared by the puzzle commands (<c>data task</c>, <c>train --task</c>, <c>solve</c>) and their parsing.</summary>
internal static class PuzzleCliOptions
{
    public static Option<string> Sizes(string description) => CliOptions.Text("--sizes", description);

    /// <summary>--generator: the variants of a task to mix (mazes: its generators), named from the tasks that have them.</summary>
    public static Option<string> Generators() => CliOptions.Text("--generator", string.Join("; ", PuzzleTasks.All.Where(t => t.Variants.Count > 0).Select(t =>
        $"{char.ToUpperInvariant(t.Noun[0])}{t.Noun[1..]} {t.VariantLabel.ToLowerInvariant()}s to mix, comma-separated: {string.Join(", ", t.Variants)}")));

    /// <summary>"9", "9,13,21" or "1-32" (inclusive ranges may be mixed with single sizes).</summary>
    public static List<int> ParseSizes(string? text, string option = "--sizes")
    {
        if (string.IsNullOrWhiteSpace(text)) throw new PuzzleFormatException($"{option} is required (e.g. {option} 9,13 or {option} 1-32).");
        var sizes = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length == 1 && int.TryParse(range[0], out int single)) sizes.Add(single);
            else if (range.Length == 2 && int.TryParse(range[0], out int lo) && int.TryParse(range[1], out int hi) && lo <= hi && hi - lo < 100_000)
                sizes.AddRange(Enumerable.Range(lo, hi - lo + 1));
            else throw new PuzzleFormatException($"{option} has '{part}', which is neither a size nor a range like 1-32.");
        }
        return sizes.Distinct().ToList();
    }

    /// <summary>The --generator names, each checked by the task (one sentence for an unknown one), or the fallback.</summary>
    public static List<string> ParseGenerators(string? text, PuzzleTask task, IEnumerable<string> fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback.ToList();
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (string name in names) task.CheckVariant(name);
        return names.Select(n => n.ToLowerInvariant()).ToList();
    }
}
