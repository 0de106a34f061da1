namespace Isrm.Bench;

/// <summary>What the benchmark commands share besides <see cref="CliCommands"/>: the <c>--json</c> switch and the figure tables.</summary>
internal static class BenchCommands
{
    /// <summary>
    /// <c>--json</c>: the report as one JSON object instead of tables (the form <see cref="BenchCommand"/> reads when it
    /// runs every benchmark).
    /// </summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON object" };

    /// <summary>A table of figures: simple borders, every column right-aligned so that the digits line up.</summary>
    public static Table FiguresTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (string name in columns) table.AddColumn(new TableColumn(name).RightAligned());
        return table;
    }
}
