using System.CommandLine;
using System.Text.Json;
using Isrm.Model.Reasoning;
using Isrm.Model.Tasks.Text;

namespace Isrm.Cli.Commands;

/// <summary>
/// <c>isrm data task prefix-sums|mazes|addition|parity</c>: writes seeded, generated instances in the plain puzzle
/// formats, or text-task prompts one per line exactly as a person types them.
/// </summary>
internal static class PuzzleDataCommand
{
    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = "prefix-sums, mazes, addition or parity" };
        var sizes = PuzzleOptions.Sizes("Bits per string, or n for n×n mazes: 9,13 or 8-32");
        var count = new Option<int>("--count") { Description = "Instances per size", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "File to write", Required = true };
        var generators = PuzzleOptions.Generators();
        var seed = new Option<int>("--seed") { Description = "Same seed, same instances", DefaultValueFactory = _ => 1 };
        var json = DataCommand.JsonOption();
        var command = new Command("task", "Generate reasoning puzzles (prefix sums or perfect mazes) into a plain text file");
        command.Arguments.Add(task);
        foreach (Option o in new Option[] { sizes, count, output, generators, seed, json }) command.Options.Add(o);
        command.SetAction(parse => UserError.Guard(() =>
        {
            int n = parse.GetValue(count);
            if (n is < 1 or > 100_000) throw new PuzzleFormatException("--count must be between 1 and 100,000.");
            if (TextTasks.Find(parse.GetValue(task)) is ITextTask textTask)
                return WriteText(textTask, PuzzleOptions.ParseSizes(parse.GetValue(sizes)), n, parse.GetValue(seed), parse.GetValue(output)!, parse.GetValue(json));
            PuzzleTask t = PuzzleTasks.Parse(parse.GetValue(task));
            var names = PuzzleOptions.ParseGenerators(parse.GetValue(generators), ["dfs"]);
            var source = new PuzzleSource(t, PuzzleOptions.ParseSizes(parse.GetValue(sizes)), names.Select(MazeGenerator.ParseAlgorithm).ToArray());
            source.Validate(new PuzzleLimits());
            string path = parse.GetValue(output)!;
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
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { task = t.Name(), file = path, instances = puzzles.Count, sizes = source.Sizes, generators = names }, JsonOutput.Options));
            else Console.WriteLine($"Wrote {puzzles.Count:N0} {t.Name()} instances (sizes {string.Join(',', source.Sizes)}) to {path}.");
            return 0;
        }));
        return command;
    }

    /// <summary>count prompts per size from one generator seeded by <paramref name="seed"/>, one per line.</summary>
    private static int WriteText(ITextTask task, List<int> sizes, int count, int seed, string path, bool json)
    {
        if (sizes.Any(s => s < 1 || s > 10_000)) throw new ArgumentException("--sizes must be between 1 and 10,000.");
        var random = new Random(seed);
        var prompts = sizes.SelectMany(size => Enumerable.Range(0, count).Select(_ => task.Prompt(random, size))).ToList();
        try
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null) Directory.CreateDirectory(folder);
            File.WriteAllLines(path, prompts);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot write '{path}' ({e.Message}).");
        }
        if (json) Console.WriteLine(JsonSerializer.Serialize(new { task = task.Name, file = path, instances = prompts.Count, sizes }, JsonOutput.Options));
        else Console.WriteLine($"Wrote {prompts.Count:N0} {task.Name} prompts (sizes {string.Join(',', sizes)}) to {path}.");
        return 0;
    }
}
