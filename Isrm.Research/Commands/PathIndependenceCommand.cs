using Isrm.Model.Tasks.Text;

namespace Isrm.Research.Commands;

/// <summary>
/// <c>isrm-research path-independence</c>: per checkpoint and size, the share of instances whose N runs from different
/// starting states end in the same answer and the same state, and how the runs end (fixed point, cycle, moving).
/// Puzzle checkpoints and text-task checkpoints draw their instances; a language model reads windows of <c>--text</c>.
/// </summary>
internal static class PathIndependenceCommand
{
    /// <summary>One row of the JSON: a checkpoint at one size.</summary>
    public sealed record Row(
        string Checkpoint, string Task, int Size, int Instances, int Starts, int Steps, double Noise, double Tolerance,
        int? SameAnswer, double? SameAnswerLow, double? SameAnswerHigh, int? SameState, int? AllFixedPoints, int? AnyCycle, int? AnyMoving,
        bool SinglePass, IReadOnlyList<int> CyclePeriods, double? MedianStateDistance, double? MedianFinalRms, double? MedianLastChange)
    {
        /// <summary>A single-pass network is applied once: its start is its input, so there is no path to compare (every figure null).</summary>
        public static Row NotApplicable(string checkpoint, string task, int size, int instances, PathIndependence.Settings s) =>
            new(checkpoint, task, size, instances, s.Starts, 1, s.Noise, s.Tolerance, null, null, null, null, null, null, null, true, [], null, null, null);
    }

    public static Command Create()
    {
        var checkpoints = CliOptions.Paths(new Option<string[]>("--checkpoint")
        {
            Description = "Checkpoint folders (puzzle, text-task or language model); repeat for several", Required = true,
            AllowMultipleArgumentsPerToken = true,
        }, PathKind.InputFolder);
        var sizes = CliOptions.Text("--sizes", "Instance sizes (maze n, bits, digits) for puzzle and text-task checkpoints, e.g. 13,21", "13");
        var count = CliOptions.Int("--count", "Instances per size (or text windows)", 1, 10_000, 50);
        var text = CliOptions.OptionalPath("--text", "A language model's text: windows of it are the instances", PathKind.InputFile);
        var length = CliOptions.Int("--length", "Tokens per text window", 2, 4096, 32);
        var starts = CliOptions.Int("--starts", "N: runs per instance, the network's own start and N − 1 perturbed ones", 2, 16, 8);
        var steps = CliOptions.Int("--k", "Refinement steps of every run", 9, 65_536, 256, false, "--loops");
        var noise = CliOptions.Real("--noise", "Perturbation: Gaussian noise of this many times the start's RMS", 0.001, 100, 1.0);
        var tolerance = CliOptions.Real("--tolerance", "Relative state distance taken as the same state (and as not moving)", 1e-9, 1, 1e-3);
        var seed = CliOptions.Seed("Seed of the instances and the perturbations");
        var json = CliOptions.Json("the rows: {checkpoint, task, size, instances, starts, sameAnswer, sameState, anyCycle, …}");
        var force = CliOptions.Force("the --json file");
        var command = CliCommands.Create("path-independence",
            "Whether refinement from N different starting states ends in the same answer and state, and whether runs end in fixed points or cycles",
            checkpoints, sizes, count, text, length, starts, steps, noise, tolerance, seed, json, force);
        command.Subcommands.Add(ResultsTable.Command<Row>("path-independence",
            "Write saved path-independence results as one markdown table (n, 95 % intervals, endings)", Markdown));
        command.SetAction(parse => UserError.Guard(() =>
        {
            set_num_threads(1);
            var settings = new PathIndependence.Settings(parse.GetValue(starts), parse.GetValue(steps), (float)parse.GetValue(noise),
                parse.GetValue(tolerance), Seed: parse.GetValue(seed));
            int[] sizeList = PuzzleCliOptions.ParseSizes(parse.GetValue(sizes)).ToArray();
            var rows = new List<Row>();
            foreach (string dir in parse.GetValue(checkpoints)!)
                foreach (Row row in Measure(dir, sizeList, parse.GetValue(count), parse.GetValue(text), parse.GetValue(length), settings, parse.GetValue(seed)))
                {
                    Console.Error.WriteLine(row.SinglePass
                        ? $"{row.Checkpoint} {row.Task} size {row.Size}: applied once (single pass), so there is no path to compare."
                        : $"{row.Checkpoint} {row.Task} size {row.Size}: same answer {row.SameAnswer}/{row.Instances}, same state {row.SameState}, "
                          + $"all fixed points {row.AllFixedPoints}, a cycle {row.AnyCycle}, still moving {row.AnyMoving} (N = {row.Starts}, K = {row.Steps})");
                    rows.Add(row);
                }
            // a state that grew past float range gives an infinite distance: written as "Infinity"
            if (CliOptions.JsonWanted(parse, json, out string? file)) ResultsTable.Write(file, rows, parse.GetValue(force));
            return 0;
        }));
        return command;
    }

    /// <summary>The rows of one results file.</summary>
    public static IReadOnlyList<Row> Read(string file) => ResultsTable.Read<Row>(file, "path-independence");

    /// <summary>One line per checkpoint and size: n, N, K, same answer with its 95 % Wilson interval, same state, endings.</summary>
    public static string Markdown(IReadOnlyList<Row> rows)
    {
        var b = new System.Text.StringBuilder();
        b.AppendLine("| checkpoint | task | size | n | N starts | noise | K | same answer (95 % CI) | same state | all runs at a fixed point | a run in a cycle (periods) | a run still moving | median distance | median state RMS | median last change |");
        b.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (Row r in rows)
        {
            if (r.SinglePass)
            {
                b.AppendLine($"| `{r.Checkpoint}` | {r.Task} | {r.Size} | {r.Instances} | – | – | 1 | applied once: no path | – | – | – | – | – | – | – |");
                continue;
            }
            string periods = r.CyclePeriods.Count == 0 ? "" : $" ({string.Join(", ", r.CyclePeriods)})";
            b.AppendLine($"| `{r.Checkpoint}` | {r.Task} | {r.Size} | {r.Instances} | {r.Starts} | {Number(r.Noise)}× | {r.Steps} | {r.SameAnswer} ({Percent(r.SameAnswerLow)}–{Percent(r.SameAnswerHigh)}) | "
                + $"{r.SameState} | {r.AllFixedPoints} | {r.AnyCycle}{periods} | {r.AnyMoving} | {Number(r.MedianStateDistance)} | {Number(r.MedianFinalRms)} | {Number(r.MedianLastChange)} |");
        }
        return b.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string Number(double? value) => value switch
    {
        null => "–",
        double v when double.IsPositiveInfinity(v) => "∞",
        double v => v.ToString("G2", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Percent(double? share) => share is double v ? $"{100 * v:F0} %" : "–";

    private static IEnumerable<Row> Measure(string dir, int[] sizes, int count, string? textFile, int length, PathIndependence.Settings settings, int seed)
    {
        string name = Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar));
        using ILoadedNetwork loaded = CheckpointFolder.Open(dir, ComputeDevice.Parse("cpu"));
        if (loaded is LoadedPuzzleCheckpoint puzzle)
        {
            PuzzleTask task = puzzle.Config.PuzzleTask;
            foreach (int size in sizes)
            {
                List<Puzzle> instances = new PuzzleSource(task, [size]).Instances(count, seed).ToList();
                using var scope = NewDisposeScope();
                var (x, _) = PuzzleTensors.Build(instances, puzzle.Network.Device);
                yield return Summarise(name, task.Name, size, settings, PathIndependence.Run(puzzle.Network, x, l => l.argmax(-1), settings));
            }
            yield break;
        }
        var checkpoint = (LoadedCheckpoint)loaded;
        if (checkpoint.Model.Config.IsSinglePass)
        {
            yield return Row.NotApplicable(name, checkpoint.Info.Task ?? "text", checkpoint.Info.Task is null ? length : sizes[0], count, settings);
            yield break;
        }
        if (checkpoint.Info.Task is string taskName && TextTasks.Find(taskName) is { } textTask)
        {
            foreach (int size in sizes)
            {
                var random = new Random(SeededStart.Stream(seed, size));
                string[] prompts = Enumerable.Range(0, count).Select(_ => textTask.Prompt(random, size)).ToArray();
                using var scope = NewDisposeScope();
                TrainingBatch batch = TextTaskBatches.Encode(textTask, checkpoint.Model.Config, prompts, checkpoint.Model.Device);
                Tensor mask = batch.LossMask!.to(ScalarType.Int64);
                yield return Summarise(name, textTask.Name, size, settings, PathIndependence.Run(checkpoint.Model, checkpoint.Model.Embed(batch.Inputs),
                    l => l.argmax(-1) * mask, settings, batch.Layout));   // answer positions only (others read 0)
            }
            yield break;
        }
        if (textFile is null) throw new ArgumentException($"Checkpoint '{name}' is a language model: give --text FILE, whose windows are its instances.");
        int[] ids = checkpoint.Tokenizer.Encode(File.ReadAllText(textFile));
        if (ids.Length < count * length) throw new ArgumentException($"{textFile} has {ids.Length:N0} tokens, fewer than --count {count} × --length {length}.");
        long[] data = Enumerable.Range(0, count).SelectMany(w => ids.Skip(w * (ids.Length / count)).Take(length).Select(i => (long)i)).ToArray();
        using (var scope = NewDisposeScope())
        {
            Tensor tokens = tensor(data, new long[] { count, length });
            yield return Summarise(name, "text", length, settings, PathIndependence.Run(checkpoint.Model, checkpoint.Model.Embed(tokens), l => l.argmax(-1), settings));
        }
    }

    private static Row Summarise(string checkpoint, string task, int size, PathIndependence.Settings s, List<PathIndependence.Instance> instances)
    {
        int n = instances.Count, same = instances.Count(i => i.SameAnswer);
        var (low, high) = SolveTable.Wilson(same, n);
        double[] distances = instances.Select(i => i.MaxStateDistance).Order().ToArray();
        return new Row(checkpoint, task, size, n, s.Starts, s.Steps, s.Noise, s.Tolerance, same, Math.Round(low, 4), Math.Round(high, 4),
            instances.Count(i => i.SameState(s.Tolerance)),
            instances.Count(i => i.Endings.All(e => e == RunEnding.FixedPoint)),
            instances.Count(i => i.Endings.Contains(RunEnding.Cycle)),
            instances.Count(i => i.Endings.Contains(RunEnding.Moving)),
            false,
            instances.SelectMany(i => i.Periods).OfType<int>().Distinct().Order().ToList(),
            distances[distances.Length / 2], Median(instances.Select(i => i.FinalRms)), Median(instances.Select(i => i.LastChange)));
    }
}
