namespace Isrm.Cli.Commands;

/// <summary>
/// <c>isrm data task NAME</c> (a task of <see cref="TaskRegistry"/>): writes seeded, generated instances in the plain puzzle
/// formats, or text-task prompts one per line exactly as a person types them.
/// </summary>
internal static class PuzzleDataCommand
{
    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = TaskRegistry.Names(TaskRegistry.AllNames) };
        var sizes = PuzzleCliOptions.Sizes("Bits per string, n for n×n mazes, or the digits of the longer operand / the bits of a parity prompt: 9,13 or 8-32");
        var count = CliOptions.Int("--count", "Instances per size", 1, 100_000, 100);
        var output = CliOptions.Path("--out", "File to write (an existing one only with --force)", PathKind.OutputFile, required: true);
        var generators = PuzzleCliOptions.Generators();
        var seed = CliOptions.Seed("Same seed, same instances");
        var json = CliOptions.Json("what was written");
        var force = CliOptions.Force("--out");
        var command = new Command("task", "Generate task instances (puzzles, or text-task prompts) into a plain text file");
        command.Arguments.Add(task);
        foreach (Option o in new Option[] { sizes, count, output, generators, seed, json, force }) command.Options.Add(o);
        command.SetAction(parse => UserError.Guard(() =>
        {
            int n = parse.GetValue(count);
            if (n is < 1 or > 100_000) throw new PuzzleFormatException("--count must be between 1 and 100,000.");
            if (TextTasks.Find(parse.GetValue(task)) is ITextTask textTask)
            {
                OutputGuard.File(parse.GetValue(output)!, parse.GetValue(force), "--out");
                return WriteText(textTask, PuzzleCliOptions.ParseSizes(parse.GetValue(sizes)), n, parse.GetValue(seed), parse.GetValue(output)!, parse, json, parse.GetValue(force));
            }
            PuzzleTask t = PuzzleTasks.Find(parse.GetValue(task))
                ?? throw TaskRegistry.Unknown(parse.GetValue(task));
            var names = PuzzleCliOptions.ParseGenerators(parse.GetValue(generators), t, t.Variants.Take(1));
            var source = new PuzzleSource(t, PuzzleCliOptions.ParseSizes(parse.GetValue(sizes)), names);
            source.Validate(new PuzzleLimits());
            string path = parse.GetValue(output)!;
            OutputGuard.File(path, parse.GetValue(force), "--out");
            var puzzles = source.Instances(n, parse.GetValue(seed)).ToList();
            try
            {
                string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
                if (folder is not null) Directory.CreateDirectory(folder);
                File.WriteAllText(path, PuzzleFormat.WriteAll(puzzles));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PuzzleFormatException($"cannot write '{path}' ({e.Message}).");
            }
            if (CliOptions.JsonWanted(parse, json, out string? jsonFile))
                JsonOutput.Write(jsonFile, new { task = t.Name, file = path, instances = puzzles.Count, sizes = source.Sizes, generators = names }, parse.GetValue(force));
            else Console.WriteLine($"Wrote {Counted(puzzles.Count, t.Noun)} (sizes {string.Join(',', source.Sizes)}) to {path}.");
            return 0;
        }));
        return command;
    }

    /// <summary>"1 maze", "10 mazes".</summary>
    private static string Counted(int n, string noun) => $"{n:N0} {noun}{(n == 1 ? "" : noun.EndsWith('s') ? "es" : "s")}";

    /// <summary>count prompts per size from one generator seeded by <paramref name="seed"/>, one per line.</summary>
    private static int WriteText(ITextTask task, List<int> sizes, int count, int seed, string path, ParseResult parse, Option<string?> json, bool force)
    {
        if (sizes.Any(s => s < 1 || s > 10_000)) throw new ArgumentException("--sizes must be between 1 and 10,000.");
        var random = new Random(seed);
        var prompts = sizes.SelectMany(size => Enumerable.Range(0, count).Select(_ => task.Prompt(random, size))).ToList();
        JsonOutput.WriteFile(path, string.Join("\n", prompts) + "\n");
        if (CliOptions.JsonWanted(parse, json, out string? jsonFile))
            JsonOutput.Write(jsonFile, new { task = task.Name, file = path, instances = prompts.Count, sizes }, force);
        else Console.WriteLine($"Wrote {Counted(prompts.Count, task.Name + " prompt")} (sizes {string.Join(',', sizes)}) to {path}.");
        return 0;
    }
}
