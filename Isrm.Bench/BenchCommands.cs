namespace Isrm.Bench;

/// <summary>What the benchmark commands share besides <see cref="CliCommands"/>: the <c>--json</c> switch and the figure tables.</summary>
internal static class BenchCommands
{
    /// <summary>
    /// <c>--json</c>: the report as one JSON object instead of tables (the form <see cref="BenchCommand"/> reads when it
    /// runs every benchmark).
    /// </summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON object" };

    /// <summary><c>--k</c> (alias <c>--loops</c>): refinement steps per token, 1 … <paramref name="max"/>, checked when parsed.</summary>
    public static Option<int> K(int defaultValue, int max, string description = "K, refinement steps per token") =>
        CliOptions.Int("--k", description, 1, max, defaultValue, false, "--loops");

    /// <summary><c>--tokens</c>: tokens a generation asks for, 1 … <paramref name="max"/>.</summary>
    public static Option<int> Tokens(int defaultValue, string description, int max = 512) => CliOptions.Int("--tokens", description, 1, max, defaultValue);

    /// <summary><c>--repeats</c>: runs of each measured way, 1 … <paramref name="max"/>.</summary>
    public static Option<int> Repeats(int defaultValue, string description, int max = 1000) => CliOptions.Int("--repeats", description, 1, max, defaultValue);

    /// <summary>A table of figures: simple borders, every column right-aligned so that the digits line up.</summary>
    public static Table FiguresTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (string name in columns) table.AddColumn(new TableColumn(name).RightAligned());
        return table;
    }
}
