namespace Isrm.Research.Commands;

/// <summary>
/// <c>isrm-research stop-rules</c>: candidate K = ∞ stop rules (patience × tolerance) of a puzzle checkpoint, all
/// measured on the same trajectories (<see cref="StopRules"/>), beside the best fixed K of those trajectories; and
/// <c>stop-rules table</c>, the report's table from the saved JSON.
/// </summary>
internal static class StopRulesCommand
{
    /// <summary>One candidate on one input: instances solved where it stopped, and its stop steps.</summary>
    public sealed record RuleRow(int Patience, float Tolerance, int Solved, double Low, double High, double MeanStop, int MedianStop, int MaxStop);

    /// <summary>One input file at one size: the fixed K's on the way to the cap and every candidate.</summary>
    public sealed record Row(string Checkpoint, string Input, int Size, int Instances, int Cap, IReadOnlyList<int> Ks, IReadOnlyList<int> SolvedAtK, IReadOnlyList<RuleRow> Rules)
    {
        /// <summary>The most instances any fixed K solved, and the smallest K that did.</summary>
        public (int Solved, int K) BestFixed => SolvedAtK.Select((s, i) => (s, Ks[i])).OrderByDescending(p => p.s).ThenBy(p => p.Item2).First();
    }

    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint("Puzzle checkpoint folder");
        var inputs = CliOptions.Paths(new Option<string[]>("--input")
        {
            Description = "Puzzle files (isrm data task …) of the checkpoint's task; repeat for several", Required = true,
            AllowMultipleArgumentsPerToken = true,
        }, PathKind.InputFile);
        var cap = CliOptions.Cap(256);
        var patience = CliOptions.Text("--patience", "Candidate patiences (steps without change), comma-separated", "10,20,40,80,160");
        var tolerance = CliOptions.Text("--tolerance", "Candidate probability tolerances, comma-separated; inf = the answer alone", "0.001,inf");
        var batch = CliOptions.Int("--batch", "Instances refined together", 1, 10_000, 50);
        var json = CliOptions.Json("the rows: {checkpoint, input, size, instances, cap, ks, solvedAtK, rules: [{patience, tolerance, solved, meanStop, …}]}");
        var force = CliOptions.Force("the --json file");
        var command = CliCommands.Create("stop-rules",
            "K = inf stop rules of a puzzle checkpoint measured on the same trajectories: solved where each rule stops, and its steps, beside the best fixed K",
            checkpoint, inputs, cap, patience, tolerance, batch, json, force);
        command.Subcommands.Add(ResultsTable.Command<Row>("stop-rules",
            "Write saved stop-rule results as one markdown table (solved % with 95 % intervals, mean stop step)", Markdown));
        command.SetAction(parse => UserError.Guard(() =>
        {
            set_num_threads(1);
            int[] patiences = Numbers(parse.GetValue(patience)!, "--patience").Select(p => (int)p).ToArray();
            float[] tolerances = Numbers(parse.GetValue(tolerance)!, "--tolerance").Select(t => (float)t).ToArray();
            if (patiences.Any(p => p < 1 || p > 1 << 16)) throw new ArgumentException("--patience takes whole numbers from 1 to 65,536.");
            if (tolerances.Any(t => !(t > 0))) throw new ArgumentException("--tolerance takes positive numbers or inf.");
            var rules = patiences.SelectMany(p => tolerances.Select(t => new StopRules.Rule(p, t))).ToList();
            using LoadedPuzzleCheckpoint loaded = PuzzleCheckpoint.Load(parse.GetValue(checkpoint)!);
            var rows = new List<Row>();
            foreach (string input in parse.GetValue(inputs)!)
            {
                IReadOnlyList<Puzzle> puzzles = PuzzleFormat.ReadFile(loaded.Config.PuzzleTask, input);
                foreach (var group in puzzles.GroupBy(p => p.Size).OrderBy(g => g.Key))
                {
                    List<Puzzle> items = group.ToList();
                    List<StopRules.Instance> measured = StopRules.Run(loaded.Network, items, parse.GetValue(cap), rules, parse.GetValue(batch),
                        line => Console.Error.WriteLine($"{Path.GetFileName(input)} size {group.Key}: {line}"));
                    Row row = Summarise(loaded.Name, Path.GetFileName(input), group.Key, parse.GetValue(cap), rules, measured);
                    Console.Error.WriteLine($"{row.Input} size {row.Size}: best fixed K solves {row.BestFixed.Solved}/{row.Instances} (K = {row.BestFixed.K}); "
                        + string.Join("; ", row.Rules.Select(r => $"P {r.Patience} tol {Tolerance(r.Tolerance)}: {r.Solved}, mean stop {r.MeanStop:F0}")));
                    rows.Add(row);
                }
            }
            if (CliOptions.JsonWanted(parse, json, out string? file)) ResultsTable.Write(file, rows, parse.GetValue(force));
            return 0;
        }));
        return command;
    }

    private static IEnumerable<double> Numbers(string text, string option) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
            part is "inf" or "∞" ? double.PositiveInfinity
            : double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new ArgumentException($"{option} has '{CliOptions.Shown(part)}': use numbers separated by commas (or inf)."));

    private static Row Summarise(string checkpoint, string input, int size, int cap, List<StopRules.Rule> rules, List<StopRules.Instance> measured)
    {
        int n = measured.Count;
        var ks = Enumerable.Range(0, measured[0].SolvedAtPowers.Length).Select(i => 1 << i).ToList();
        var solvedAtK = ks.Select((_, i) => measured.Count(m => m.SolvedAtPowers[i])).ToList();
        var ruleRows = rules.Select((r, j) =>
        {
            int solved = measured.Count(m => m.SolvedAtStop[j]);
            var (low, high) = SolveTable.Wilson(solved, n);
            int[] stops = measured.Select(m => m.StopStep[j]).Order().ToArray();
            return new RuleRow(r.Patience, r.Tolerance, solved, Math.Round(low, 4), Math.Round(high, 4), Math.Round(stops.Average(), 1), stops[stops.Length / 2], stops[^1]);
        }).ToList();
        return new Row(checkpoint, input, size, n, cap, ks, solvedAtK, ruleRows);
    }

    /// <summary>The rows of one results file.</summary>
    public static IReadOnlyList<Row> Read(string file) => ResultsTable.Read<Row>(file, "stop-rules");

    /// <summary>
    /// One line per input and size: the best fixed K (solved %, the smallest K that reaches it) and the solved % at twice
    /// and four times that K (overthinking shows as a drop), then each rule's solved %
    /// (95 % Wilson interval) and mean stop step; a rule within one point of the best fixed K is marked ✓.
    /// </summary>
    public static string Markdown(IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0) return "";
        List<RuleRow> header = rows[0].Rules.ToList();
        var b = new System.Text.StringBuilder();
        b.Append("| checkpoint | input | size | n | cap | best fixed K: solved % (K*) | 2K*, 4K*: solved % |");
        foreach (RuleRow r in header) b.Append($" P = {r.Patience}, tol {Tolerance(r.Tolerance)}: solved % (CI), mean stop |");
        b.AppendLine();
        b.Append("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (RuleRow _ in header) b.Append(" --- |");
        b.AppendLine();
        foreach (Row row in rows)
        {
            var (best, k) = row.BestFixed;
            double bestShare = 100.0 * best / row.Instances;
            b.Append($"| `{row.Checkpoint}` | {row.Input} | {row.Size} | {row.Instances} | {row.Cap} | {Pct(bestShare)} ({k}) | {Later(row, 2 * k)}, {Later(row, 4 * k)} |");
            foreach (RuleRow r in row.Rules)
            {
                double share = 100.0 * r.Solved / row.Instances;
                string mark = share >= bestShare - 1 ? " ✓" : "";
                b.Append($" {Pct(share)} ({Pct(100 * r.Low)}–{Pct(100 * r.High)}){mark}, {r.MeanStop.ToString("0", CultureInfo.InvariantCulture)} |");
            }
            b.AppendLine();
        }
        return b.ToString();
    }

    private static string Pct(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    // Solved % at a multiple of K* (overthinking shows as a drop), or "beyond the cap".
    private static string Later(Row row, int k)
    {
        int i = row.Ks.ToList().IndexOf(k);
        return i < 0 ? "beyond the cap" : Pct(100.0 * row.SolvedAtK[i] / row.Instances);
    }

    private static string Tolerance(float t) => float.IsPositiveInfinity(t) ? "∞" : t.ToString("G3", CultureInfo.InvariantCulture);
}
