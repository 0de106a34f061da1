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
        var count = CliOptions.Int("--count", "Instances per size", 1, 100_000, 100);
        var output = CliOptions.Path("--out", "File to write (an existing one only with --force)", PathKind.OutputFile, required: true);
        var generators = PuzzleOptions.Generators();
        var seed = CliOptions.Seed("Same seed, same instances");
        var json = CliOptions.Json("what was written");
        var force = CliOptions.Force("--out");
        var command = new Command("task", "Generate reasoning puzzles (prefix sums or perfect mazes) into a plain text file");
        command.Arguments.Add(task);
        foreach (Option o in new Option[] { sizes, count, output, generators, seed, json, force }) command.Options.Add(o);
        command.SetAction(parse => UserError.Guard(() =>
        {
            PuzzleTask t = PuzzleTasks.Parse(parse.GetValue(task));
            int n = parse.GetValue(count);
            if (n is < 1 or > 100_000) throw new PuzzleFormatException("--count must be between 1 and 100,000.");
            var names = PuzzleOptions.ParseGenerators(parse.GetValue(generators), ["dfs"]);
            var source = new PuzzleSource(t, PuzzleOptions.ParseSizes(parse.GetValue(sizes)), names.Select(MazeGenerator.ParseAlgorithm).ToArray());
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
                JsonOutput.Write(jsonFile, new { task = t.Name(), file = path, instances = puzzles.Count, sizes = source.Sizes, generators = names }, parse.GetValue(force));
            else Console.WriteLine($"Wrote {Counted(puzzles.Count, t == PuzzleTask.Mazes ? "maze" : "prefix-sum string")} (sizes {string.Join(',', source.Sizes)}) to {path}.");
            return 0;
        }));
        return command;
    }

    /// <summary>"1 maze", "10 mazes".</summary>
    private static string Counted(int n, string noun) => $"{n:N0} {noun}{(n == 1 ? "" : noun.EndsWith('s') ? "es" : "s")}";
}
