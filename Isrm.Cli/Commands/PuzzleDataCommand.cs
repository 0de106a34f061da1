using System.CommandLine;
using System.Text.Json;
using Isrm.Model.Reasoning;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm data task prefix-sums|mazes</c>: writes seeded, generated instances in the plain puzzle formats.</summary>
internal static class PuzzleDataCommand
{
    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = "prefix-sums or mazes" };
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
            PuzzleTask t = PuzzleTasks.Parse(parse.GetValue(task));
            int n = parse.GetValue(count);
            if (n is < 1 or > 100_000) throw new PuzzleFormatException("--count must be between 1 and 100,000.");
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
}
