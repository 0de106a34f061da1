using System.Text.RegularExpressions;

namespace Isrm.Research.Commands;

/// <summary>
/// <c>isrm-research recall-report</c>: reads the recall.json of several <c>isrm-research recall</c> runs and writes a markdown
/// table (accuracy per N, the N where accuracy first falls below 90 % and 50 %) and a plot of accuracy vs N.
/// </summary>
internal static class RecallReportCommand
{
    public static Command Create()
    {
        var runs = new Option<string[]>("--runs") { Description = "Run folders (each holding recall.json)", AllowMultipleArgumentsPerToken = true };
        var report = new Option<string?>("--report") { Description = "Instead of --runs: a recall.json this command wrote before (its runs are read again and their limits recomputed)" };
        var output = new Option<string>("--out") { Description = "Folder for recall.md, recall.png and recall.json", Required = true };
        var command = CliCommands.Create("recall-report", "Table and plot of several associative-recall runs", runs, report, output);
        command.SetAction(parse =>
        {
            try
            {
                var results = Read(parse.GetValue(runs) ?? [], parse.GetValue(report));
                string folder = parse.GetValue(output)!;
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, "recall.md"), Table(results));
                File.WriteAllText(Path.Combine(folder, "recall.json"), JsonSerializer.Serialize(results.Select(r => new ReportEntry(r.Name, r.Run, Limits(r.Run.Accuracy), Intervals(r.Run))), JsonOutput.Options));
                Plot(results, Path.Combine(folder, "recall.png"));
                Console.WriteLine(Table(results));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or JsonException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>One run of the written recall.json: its result and the limits derived from it.</summary>
    public sealed record ReportEntry(string Name, RecallCommand.RunResult Run, RunLimits? Limits, Dictionary<int, Share>? Intervals = null);

    /// <summary>An accuracy's queries (n) and its 95 % Wilson interval.</summary>
    public sealed record Share(int Queries, double Low, double High);

    /// <summary>
    /// The queries behind each accuracy — fresh sequences per N (<c>--eval-sequences</c>: recorded by newer runs, read
    /// from the command of older ones, else the default of 128) times the min(N, 32) keys each sequence asks — with a 95 %
    /// Wilson interval. The queries of one sequence are counted as independent; they share that sequence's pairs, so the
    /// interval may be somewhat narrow.
    /// </summary>
    public static Dictionary<int, Share> Intervals(RecallCommand.RunResult run)
    {
        int sequences = run.EvalSequences ?? (Regex.Match(run.Command, @"--eval-sequences\s+(\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 128);
        var task = new AssociativeRecall();
        return run.Accuracy.ToDictionary(a => a.Key, a =>
        {
            int n = sequences * Math.Min(a.Key, task.Queries);
            var (low, high) = PairedInterval.Wilson((int)Math.Round(a.Value * n), n);
            return new Share(n, low, high);
        });
    }

    /// <summary>Where a run's accuracy first falls below 90 % and 50 % (as the table words it), and the pairs it holds.</summary>
    public sealed record RunLimits(string Below90, string Below50, double PairsHeld, int PairsHeldAt);

    public static RunLimits Limits(IReadOnlyDictionary<int, double> accuracy)
    {
        var (held, at) = PairsHeld(accuracy);
        return new RunLimits(Limit(FirstBelow(accuracy, 0.9), accuracy), Limit(FirstBelow(accuracy, 0.5), accuracy), held, at);
    }

    private static List<(string Name, RecallCommand.RunResult Run)> Read(string[] runs, string? report)
    {
        if ((runs.Length == 0) == (report is null))
            throw new ArgumentException("Give either --runs (run folders) or --report (a recall.json written by recall-report), not both or neither.");
        if (report is not null)
        {
            if (!File.Exists(report)) throw new ArgumentException($"--report: {report} does not exist.");
            List<ReportEntry>? entries;
            try { entries = JsonSerializer.Deserialize<List<ReportEntry>>(File.ReadAllText(report), JsonOutput.Options); }
            catch (JsonException) { entries = null; }
            if (entries is null || entries.Count == 0 || entries.Any(e => e.Run?.Accuracy is null))
                throw new ArgumentException($"--report: {report} is not a recall.json written by recall-report (a list of runs, each with its accuracy).");
            return entries.Select(e => (e.Name, e.Run)).ToList();
        }
        return runs.Select(dir =>
        {
            string path = Path.Combine(dir, "recall.json");
            if (!File.Exists(path)) throw new ArgumentException($"{dir} holds no recall.json; run 'isrm-research recall --out {dir}' first.");
            return (Name: Path.GetFileName(Path.GetFullPath(dir)), Run: JsonSerializer.Deserialize<RecallCommand.RunResult>(File.ReadAllText(path), JsonOutput.Options)!);
        }).ToList();
    }

    /// <summary>The smallest N of the sweep whose accuracy is below <paramref name="level"/>; null when none is.</summary>
    public static int? FirstBelow(IReadOnlyDictionary<int, double> accuracy, double level) =>
        accuracy.Where(a => a.Value < level).Select(a => (int?)a.Key).OrderBy(n => n).FirstOrDefault();

    /// <summary>
    /// How many pairs the model holds: the largest N · (a − c)/(1 − c) over the sweep, a = accuracy at N, c = chance
    /// (1/64). Queries ask a random subset of the N keys, so a model that keeps m of the pairs answers about m/N of them.
    /// </summary>
    public static (double Pairs, int N) PairsHeld(IReadOnlyDictionary<int, double> accuracy, double chance = 1.0 / 64) =>
        accuracy.Select(a => (Pairs: a.Key * Math.Max(0, a.Value - chance) / (1 - chance), N: a.Key)).MaxBy(p => p.Pairs);

    // "already at N = 4" says that the run was never measured above the level (its smallest N is below it), so it locates no limit.
    private static string Limit(int? n, IReadOnlyDictionary<int, double> accuracy) =>
        n is not int v ? $"none up to {accuracy.Keys.Max()}" : v == accuracy.Keys.Min() ? $"already at N = {v}" : v.ToString();

    private static string Table(IReadOnlyList<(string Name, RecallCommand.RunResult Run)> results)
    {
        static string P(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine($"| run | family | state floats | parameters | trained (steps, minutes) | {string.Join(" | ", RecallCommand.Sweep.Select(n => $"N={n}"))} | < 90 % from N | < 50 % from N | pairs held (at N) |");
        text.AppendLine($"| --- | --- | --- | --- | --- | {string.Join(" | ", RecallCommand.Sweep.Select(_ => "---"))} | --- | --- | --- |");
        foreach (var (name, run) in results)
        {
            string state = run.StateFloats == 0 ? "K/V cache (grows with N)" : run.StateFloats.ToString("N0");
            string cells = string.Join(" | ", RecallCommand.Sweep.Select(n => run.Accuracy.TryGetValue(n, out double a) ? P(a) : "—"));
            var limits = Limits(run.Accuracy);
            text.AppendLine($"| {name} | {run.Family} | {state} | {run.Parameters:N0} | {run.Steps:N0}, {run.Seconds / 60:F1} | {cells} | {limits.Below90} | {limits.Below50} | {limits.PairsHeld:F1} ({limits.PairsHeldAt}) |");
        }
        return text.ToString();
    }

    private static void Plot(IReadOnlyList<(string Name, RecallCommand.RunResult Run)> results, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, run) in results)
        {
            var points = run.Accuracy.OrderBy(a => a.Key).ToList();
            var line = plot.Add.Scatter(points.Select(p => Math.Log2(p.Key)).ToArray(), points.Select(p => 100 * p.Value).ToArray());
            line.LegendText = run.StateFloats == 0 ? name : $"{name} ({run.StateFloats:N0} floats)";
        }
        plot.Add.HorizontalLine(100.0 / 64).LinePattern = ScottPlot.LinePattern.Dotted;
        plot.Title("Multi-query associative recall: accuracy vs key–value pairs N");
        plot.XLabel("log2 N");
        plot.YLabel("accuracy on the queried values (%), dotted: chance 1/64");
        plot.ShowLegend();
        plot.SavePng(path, 900, 560);
    }
}
