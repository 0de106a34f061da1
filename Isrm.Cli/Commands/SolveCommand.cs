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
        var checkpoint = CliOptions.Checkpoint("Puzzle checkpoint folder (made by isrm train --task)");
        var input = CliOptions.Path("--input", "Puzzle file (isrm data task …) of the checkpoint's task", PathKind.InputFile, required: true);
        var ks = CliOptions.Depth("Steps to read, e.g. 1,2,4,…,1024,inf (inf = stop rule)", "1,2,4,…,256,inf");
        var cap = CliOptions.Cap(2048, max: 1 << 16);
        var patience = CliOptions.OptionalInt("--patience",
            $"K = ∞: steps without change before stopping (default {StableAnswerRule.PuzzlePatience} with the answer alone for puzzles, {StableAnswerRule.DefaultPatience} with answer and probabilities for text tasks)",
            1, 1 << 16);
        var batch = CliOptions.Int("--batch", "Instances refined together", 1, 10_000, 50);
        var limit = CliOptions.OptionalInt("--limit", "Use only the first N instances of each size", 1, 10_000_000);
        var json = CliOptions.Json("the results: {task, results: [{size, k, instances, solved, accuracy, …}]}");
        var plot = CliOptions.OptionalPath("--plot", "Write accuracy against K, one curve per size, as a PNG", PathKind.OutputFile);
        var threads = CliOptions.Threads(1);
        var force = CliOptions.Force("the --json and --plot files");
        var command = CliCommands.Create("solve", "Measure a puzzle checkpoint's accuracy against the number of refinement steps K",
            checkpoint, input, ks, cap, patience, batch, limit, json, plot, threads, force);
        command.SetAction(parse => UserError.Guard(() =>
        {
            bool replace = parse.GetValue(force);
            bool jsonWanted = CliOptions.JsonWanted(parse, json, replace, out string? jsonFile);
            if (parse.GetValue(plot) is string plotFile) OutputGuard.File(plotFile, replace, "--plot");
            TorchSharp.torch.set_num_threads(parse.GetValue(threads));
            var infinity = new PuzzleSolveOptions { K = RefinementDepth.Infinite.Capped(parse.GetValue(cap)) };
            infinity.Validate();
            List<int?> kList = PuzzleEvaluator.ParseKs(parse.GetValue(ks)!, infinity.K.Cap);
            if (TextTaskOf(parse.GetValue(checkpoint)!) is ITextTask textTask)
                return SolveText(textTask, parse.GetValue(checkpoint)!, parse.GetValue(input)!, kList,
                    infinity with { Patience = parse.GetValue(patience) ?? StableAnswerRule.DefaultPatience, Tolerance = StableAnswerRule.DefaultTolerance },
                    parse.GetValue(batch), parse.GetValue(limit), jsonWanted, jsonFile, parse.GetValue(plot), replace);
            if (parse.GetValue(patience) is int p) infinity = infinity with { Patience = p };
            using LoadedPuzzleCheckpoint loaded = PuzzleCheckpoint.Load(parse.GetValue(checkpoint)!);
            IReadOnlyList<Puzzle> puzzles = PuzzleFormat.ReadFile(loaded.Config.PuzzleTask, parse.GetValue(input)!);
            if (parse.GetValue(limit) is int n)
                puzzles = puzzles.GroupBy(p => p.Size).SelectMany(g => g.Take(n)).ToList();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            List<PuzzleResult> results = PuzzleEvaluator.Evaluate(loaded.Network, puzzles, kList, infinity, parse.GetValue(batch),
                line => Console.Error.WriteLine(line));
            TextWriter table = jsonWanted && jsonFile is null ? Console.Error : Console.Out;   // stdout holds the JSON lines then
            table.WriteLine($"{"size",6} {"K",6} {"inst",6} {"solved",7} {"acc",7} {"pos.acc",8} {"mean K",7}");
            foreach (PuzzleResult r in results)
                table.WriteLine($"{r.Size,6} {r.K,6} {r.Instances,6} {r.Solved,7} {r.Accuracy,7:P1} {r.PositionAccuracy,8:P2} {(r.MeanK is double m ? m.ToString("F1") : ""),7}");
            table.WriteLine($"{puzzles.Count} instances in {clock.Elapsed.TotalSeconds:F0} s.");
            if (jsonWanted) JsonOutput.Write(jsonFile, new { task = loaded.Config.Task, checkpoint = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(parse.GetValue(checkpoint)!))), stopRule = infinity.StopRule, results }, replace);
            if (parse.GetValue(plot) is string png)
                SolvePlot.Write(results, $"{loaded.Name}: {Path.GetFileName(parse.GetValue(input))}", png);
            return 0;
        }));
        command.Subcommands.Add(PlotCommand());
        command.Subcommands.Add(SolveTable.Create());
        return command;
    }

    /// <summary>The task of a text-task checkpoint; null for a puzzle checkpoint; one sentence for a corpus model.</summary>
    private static ITextTask? TextTaskOf(string directory)
    {
        if (CheckpointFolder.IsPuzzle(directory)) return null;
        CheckpointInfo info = Checkpoint.Inspect(directory);
        return info.Task is string name ? TextTasks.Parse(name)
            : throw new ArgumentException($"'{info.Name}' is a text model trained on a corpus, which 'isrm eval' measures; solve measures puzzle and task checkpoints (isrm train --task).");
    }

    private static int SolveText(ITextTask task, string directory, string input, List<int?> ks, PuzzleSolveOptions infinity,
        int batch, int? limit, bool jsonWanted, string? jsonFile, string? plot, bool replace)
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
            catch (ArgumentException e) { throw new ArgumentException($"{input} line {number}: {CliOptions.Shown(e.Message)}", e); }
            prompts.Add(prompt);
        }
        if (prompts.Count == 0) throw new ArgumentException($"'{input}' holds no {task.Name} prompts.");
        if (limit is int n) prompts = prompts.GroupBy(task.Size).SelectMany(g => g.Take(n)).ToList();
        int longest = prompts.Max(p => task.Sequence(p).Length);
        // Weights do not depend on the context length: longer instances only need longer rotary tables.
        using LoadedCheckpoint loaded = Checkpoint.Load(directory, TorchSharp.torch.CPU, c => c with { MaxContext = Math.Max(c.MaxContext, longest) });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<PuzzleResult> results = TextTaskEvaluator.Evaluate(loaded.Model, task, prompts, ks, infinity, batch, line => Console.Error.WriteLine(line));
        TextWriter table = jsonWanted && jsonFile is null ? Console.Error : Console.Out;   // stdout holds the JSON lines then
        table.WriteLine($"{"size",6} {"K",6} {"inst",6} {"solved",7} {"acc",7} {"tok.acc",8} {"mean K",7}");
        foreach (PuzzleResult r in results)
            table.WriteLine($"{r.Size,6} {r.K,6} {r.Instances,6} {r.Solved,7} {r.Accuracy,7:P1} {r.PositionAccuracy,8:P2} {(r.MeanK is double m ? m.ToString("F1") : ""),7}");
        table.WriteLine($"{prompts.Count} instances in {clock.Elapsed.TotalSeconds:F0} s.");
        if (jsonWanted) JsonOutput.Write(jsonFile, new { task = task.Name, checkpoint = loaded.Info.Name, stopRule = infinity.StopRule, results }, replace);
        if (plot is string png) SolvePlot.Write(results, $"{loaded.Info.Name}: {Path.GetFileName(input)}", png);
        return 0;
    }

    /// <summary><c>isrm solve plot</c>: redraws curves from saved <c>--json</c> results, one curve per file at one size.</summary>
    private static Command PlotCommand()
    {
        var results = new Option<string[]>("--results") { Description = "Results files written by isrm solve --json", Required = true, AllowMultipleArgumentsPerToken = true };
        CliOptions.Paths(results, PathKind.InputFile);
        var size = CliOptions.Int("--size", "The size to draw", 1, 1_000_000, 0);
        size.Required = true;
        var title = CliOptions.Text("--title", "Title of the plot", "solved vs K");
        var output = CliOptions.Path("--out", "PNG to write (an existing one only with --force)", PathKind.OutputFile, required: true);
        var force = CliOptions.Force("--out");
        var command = CliCommands.Create("plot", "Draw accuracy against K at one size, one curve per results file", results, size, title, output, force);
        command.SetAction(parse => UserError.Guard(() =>
        {
            OutputGuard.File(parse.GetValue(output)!, parse.GetValue(force), "--out");
            var series = new List<(string, List<PuzzleResult>)>();
            foreach (string file in parse.GetValue(results)!)
            {
                if (!File.Exists(file)) throw new PuzzleFormatException($"results file '{file}' does not exist.");
                SavedResults saved;
                try { saved = JsonSerializer.Deserialize<SavedResults>(File.ReadAllText(file), JsonOutput.Options) ?? throw new JsonException("empty"); }
                catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException) { throw new PuzzleFormatException($"'{file}' is not an isrm solve results file."); }
                if (saved.Results is null) throw new PuzzleFormatException($"'{file}' is not an isrm solve results file.");
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
