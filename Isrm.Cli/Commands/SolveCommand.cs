using System.CommandLine;
using System.Text.Json;
using Isrm.Model.Checkpoints;
using Isrm.Model.Reasoning;
using Isrm.Model.Tasks.Text;

namespace Isrm.Cli.Commands;

/// <summary>
/// <c>isrm solve</c>: accuracy of a puzzle checkpoint against K on a puzzle file, per size — solved (exact match),
/// accuracy, per-position accuracy and, for K = ∞, the mean K at which the stop rule ended. A text-task checkpoint
/// (an ISRM whose metadata.json names its task) is measured the same way on a file of prompts, one per line.
/// </summary>
internal static class SolveCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Puzzle checkpoint folder (made by isrm train --task)", Required = true };
        var input = new Option<string>("--input") { Description = "Puzzle file (isrm data task …) of the checkpoint's task", Required = true };
        var ks = new Option<string>("--k") { Description = "Steps to read, e.g. 1,2,4,…,1024,inf (inf = stop rule)", DefaultValueFactory = _ => "1,2,4,…,256,inf" };
        var cap = new Option<int>("--cap") { Description = "Most steps for K = ∞", DefaultValueFactory = _ => 2048 };
        var patience = new Option<int>("--patience") { Description = "K = ∞: steps without any change before stopping", DefaultValueFactory = _ => StableAnswerRule.DefaultPatience };
        var batch = new Option<int>("--batch") { Description = "Instances refined together", DefaultValueFactory = _ => 50 };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N instances of each size" };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file" };
        var plot = new Option<string?>("--plot") { Description = "Write accuracy against K, one curve per size, as a PNG" };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads", DefaultValueFactory = _ => 1 };
        var command = new Command("solve", "Measure a puzzle checkpoint's accuracy against the number of refinement steps K");
        foreach (Option o in new Option[] { checkpoint, input, ks, cap, patience, batch, limit, json, plot, threads }) command.Options.Add(o);
        command.SetAction(parse => UserError.Guard(() =>
        {
            TorchSharp.torch.set_num_threads(Math.Max(1, parse.GetValue(threads)));
            if (parse.GetValue(batch) is < 1 or > 10_000) throw new PuzzleFormatException("--batch must be between 1 and 10,000.");
            var infinity = new PuzzleSolveOptions { Cap = parse.GetValue(cap), Patience = parse.GetValue(patience) };
            infinity.Validate();
            List<int?> kList = PuzzleEvaluator.ParseKs(parse.GetValue(ks)!, infinity.Cap);
            if (TextTaskOf(parse.GetValue(checkpoint)!) is ITextTask textTask)
                return SolveText(textTask, parse.GetValue(checkpoint)!, parse.GetValue(input)!, kList, infinity, parse.GetValue(batch),
                    parse.GetValue(limit), parse.GetValue(json), parse.GetValue(plot));
            using LoadedPuzzleCheckpoint loaded = PuzzleCheckpoint.Load(parse.GetValue(checkpoint)!);
            IReadOnlyList<Puzzle> puzzles = PuzzleFormat.ReadFile(loaded.Config.PuzzleTask, parse.GetValue(input)!);
            if (parse.GetValue(limit) is int n)
                puzzles = puzzles.GroupBy(p => p.Size).SelectMany(g => g.Take(Math.Max(1, n))).ToList();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            List<PuzzleResult> results = PuzzleEvaluator.Evaluate(loaded.Network, puzzles, kList, infinity, parse.GetValue(batch),
                line => Console.Error.WriteLine(line));
            Console.WriteLine($"{"size",6} {"K",6} {"inst",6} {"solved",7} {"acc",7} {"pos.acc",8} {"mean K",7}");
            foreach (PuzzleResult r in results)
                Console.WriteLine($"{r.Size,6} {r.K,6} {r.Instances,6} {r.Solved,7} {r.Accuracy,7:P1} {r.PositionAccuracy,8:P2} {(r.MeanK is double m ? m.ToString("F1") : ""),7}");
            Console.WriteLine($"{puzzles.Count} instances in {clock.Elapsed.TotalSeconds:F0} s.");
            if (parse.GetValue(json) is string path)
            {
                var payload = new { task = loaded.Config.Task, results };
                try { File.WriteAllText(path, JsonSerializer.Serialize(payload, JsonOutput.Options)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
                {
                    throw new PuzzleFormatException($"cannot write '{path}' ({e.Message}).");
                }
            }
            if (parse.GetValue(plot) is string png)
                SolvePlot.Write(results, $"{loaded.Name}: {Path.GetFileName(parse.GetValue(input))}", png);
            return 0;
        }));
        command.Subcommands.Add(PlotCommand());
        return command;
    }

    /// <summary>The task of a text-task checkpoint; null for a puzzle checkpoint; one sentence for a corpus model.</summary>
    private static ITextTask? TextTaskOf(string directory)
    {
        if (PuzzleCheckpoint.IsPuzzle(directory)) return null;
        CheckpointInfo info = Checkpoint.Inspect(directory);
        return info.Metadata.Task is string name ? TextTasks.Parse(name)
            : throw new ArgumentException($"'{info.Name}' is a text model trained on a corpus: solve measures puzzle and task checkpoints (isrm train --task).");
    }

    private static int SolveText(ITextTask task, string directory, string input, List<int?> ks, PuzzleSolveOptions infinity,
        int batch, int? limit, string? json, string? plot)
    {
        if (!File.Exists(input)) throw new ArgumentException($"input file '{input}' does not exist.");
        var prompts = new List<string>();
        int number = 0;
        foreach (string line in File.ReadLines(input))
        {
            number++;
            string prompt = line.Trim();
            if (prompt.Length == 0) continue;
            try { task.Answer(prompt); }
            catch (ArgumentException e) { throw new ArgumentException($"{input} line {number}: {e.Message}", e); }
            prompts.Add(prompt);
        }
        if (prompts.Count == 0) throw new ArgumentException($"'{input}' holds no {task.Name} prompts.");
        if (limit is int n) prompts = prompts.GroupBy(task.Size).SelectMany(g => g.Take(Math.Max(1, n))).ToList();
        int longest = prompts.Max(p => task.Sequence(p).Length);
        // Weights do not depend on the context length: longer instances only need longer rotary tables.
        using LoadedCheckpoint loaded = Checkpoint.Load(directory, TorchSharp.torch.CPU, c => c with { MaxContext = Math.Max(c.MaxContext, longest) });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<PuzzleResult> results = TextTaskEvaluator.Evaluate(loaded.Model, task, prompts, ks, infinity, batch, line => Console.Error.WriteLine(line));
        Console.WriteLine($"{"size",6} {"K",6} {"inst",6} {"solved",7} {"acc",7} {"tok.acc",8} {"mean K",7}");
        foreach (PuzzleResult r in results)
            Console.WriteLine($"{r.Size,6} {r.K,6} {r.Instances,6} {r.Solved,7} {r.Accuracy,7:P1} {r.PositionAccuracy,8:P2} {(r.MeanK is double m ? m.ToString("F1") : ""),7}");
        Console.WriteLine($"{prompts.Count} instances in {clock.Elapsed.TotalSeconds:F0} s.");
        if (json is string path)
        {
            var payload = new { task = task.Name, checkpoint = loaded.Info.Name, results };
            try { File.WriteAllText(path, JsonSerializer.Serialize(payload, JsonOutput.Options)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
            {
                throw new ArgumentException($"cannot write '{path}' ({e.Message}).");
            }
        }
        if (plot is string png) SolvePlot.Write(results, $"{loaded.Info.Name}: {Path.GetFileName(input)}", png);
        return 0;
    }

    /// <summary><c>isrm solve plot</c>: redraws curves from saved <c>--json</c> results, one curve per file at one size.</summary>
    private static Command PlotCommand()
    {
        var results = new Option<string[]>("--results") { Description = "Results files written by isrm solve --json", Required = true, AllowMultipleArgumentsPerToken = true };
        var size = new Option<int>("--size") { Description = "The size to draw", Required = true };
        var title = new Option<string>("--title") { DefaultValueFactory = _ => "solved vs K" };
        var output = new Option<string>("--out") { Description = "PNG to write", Required = true };
        var command = new Command("plot", "Draw accuracy against K at one size, one curve per results file");
        foreach (Option o in new Option[] { results, size, title, output }) command.Options.Add(o);
        command.SetAction(parse => UserError.Guard(() =>
        {
            var series = new List<(string, List<PuzzleResult>)>();
            foreach (string file in parse.GetValue(results)!)
            {
                if (!File.Exists(file)) throw new PuzzleFormatException($"results file '{file}' does not exist.");
                SavedResults saved;
                try { saved = JsonSerializer.Deserialize<SavedResults>(File.ReadAllText(file), JsonOutput.Options) ?? throw new JsonException("empty"); }
                catch (JsonException e) { throw new PuzzleFormatException($"'{file}' is not an isrm solve results file ({e.Message})."); }
                var points = saved.Results.Where(r => r.Size == parse.GetValue(size)).ToList();
                if (points.Count > 0) series.Add(($"{Path.GetFileNameWithoutExtension(file)} ({points[0].Instances} instances)", points));
            }
            if (series.Count == 0) throw new PuzzleFormatException($"no results file holds size {parse.GetValue(size)}.");
            SolvePlot.Write(series, parse.GetValue(title)!, parse.GetValue(output)!);
            return 0;
        }));
        return command;
    }

    private sealed record SavedResults(string Task, List<PuzzleResult> Results);
}
