namespace Isrm.Research.Commands;

/// <summary>
/// What every measuring command of a report shares: its JSON results file holds <c>{command, rows: […]}</c> (written
/// and read here), and a <c>table</c> subcommand writes the report's markdown table from one or more such files.
/// </summary>
internal static class ResultsTable
{
    /// <summary>
    /// Writes <c>{command, rows}</c> where the command's <c>--json</c> says (a file, or one line on stdout); an
    /// infinite or NaN figure is written as "Infinity" / "NaN".
    /// </summary>
    public static void Write<TRow>(string? file, IReadOnlyList<TRow> rows, bool replace) =>
        JsonOutput.Write(file, new { command = "isrm-research " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), rows },
            replace, allowNaN: true);

    /// <summary>The rows of one results file written by <paramref name="producer"/>; one sentence when it is not one.</summary>
    public static IReadOnlyList<TRow> Read<TRow>(string file, string producer)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            return doc.RootElement.GetProperty("rows").Deserialize<List<TRow>>(JsonOutput.WithNaN) ?? [];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ArgumentException($"{file} is not a {producer} results file ({e.Message.ReplaceLineEndings(" ")}).");
        }
    }

    /// <summary><c>table --results FILE…</c>: the rows of every file as one markdown table on stdout.</summary>
    public static Command Command<TRow>(string producer, string description, Func<IReadOnlyList<TRow>, string> markdown)
    {
        var results = CliOptions.Paths(new Option<string[]>("--results")
        {
            Description = $"JSON files written by {producer} --json", Required = true, AllowMultipleArgumentsPerToken = true,
        }, PathKind.InputFile);
        var command = CliCommands.Create("table", description, results);
        command.SetAction(parse => UserError.Guard(() =>
        {
            Console.Write(markdown(parse.GetValue(results)!.SelectMany(f => Read<TRow>(f, producer)).ToList()));
            return 0;
        }));
        return command;
    }
}
