namespace Isrm.Research.Commands;

/// <summary>
/// <c>isrm-research compress-e2e</c> (issue 14.5): for one family, trains an encoder–decoder from scratch per window length
/// L (L bytes → 16 vectors → L bytes) and scores byte accuracy on windows of held-out documents;
/// <c>isrm-research compress-report</c> gathers several such runs into a table and a plot.
/// </summary>
internal static class CompressE2eCommand
{
    /// <summary>One window length of a run.</summary>
    public sealed record Row(int Length, int Steps, double Seconds, double FinalLoss, double Accuracy, double[] Quarters, double MostFrequentByte, int TestWindows, bool Diverged = false);

    /// <summary>What a run writes to its JSON file (parameters: encoder and decoder at the last length; the decoder has one query per byte).</summary>
    public sealed record RunResult(string Command, string Family, int Vectors, long StateFloats, long Parameters, List<Row> Rows);

    public static Command Create()
    {
        var family = new Option<string>("--family") { Description = "isrm | transformer | rlm | rlt | gated-rlt", Required = true };
        var corpus = new Option<string>("--corpus") { Description = "Text corpus folder (BROWN: the Brown corpus of 'isrm data brown')", Required = true };
        var json = new Option<string>("--json") { Description = "Write the run's rows to this JSON file", Required = true };
        var force = CliOptions.Force("the --json file");
        var lengths = new Option<string>("--lengths") { Description = "Window lengths L in bytes", DefaultValueFactory = _ => "64,128,256,512,1024" };
        var vectors = CliOptions.Int("--vectors", "Memory vectors M the decoder may read", 1, 1_000_000, 16, false);
        var shape = new ModelShapeOptions(syncPairs: 896, memorySlots: 16, pairsNote: " (64 + 896 + 64 = 1,024 state floats = 16 × 64)");
        var loops = CliOptions.Int("--k", "isrm: refinement steps", 1, 1_000_000, 4, false, "--loops");
        var minutes = new Option<string>("--minutes") { Description = "Wall-time budget of each length's training: one value, or one per length", DefaultValueFactory = _ => "5" };
        var steps = CliOptions.Int("--steps", "Step cap of each length's training", 1, 100_000_000, 100_000, false);
        var batch = CliOptions.Int("--batch", "Batch size", 1, 1_000_000, 16, false);
        var lr = CliOptions.Real("--lr", "Learning rate", 1e-9, 10, 3e-3);
        var testWindows = CliOptions.Int("--test-windows", "Held-out windows per length", 1, 1_000_000, 128, false);
        var seed = CliOptions.Int("--seed", "Seed", 0, int.MaxValue, 1, false);
        var command = CliCommands.Create("compress-e2e", "Train L bytes → 16 vectors → L bytes end to end for one family and score byte accuracy per L",
            family, corpus, json, lengths, vectors, shape.Width, shape.Layers, shape.Neurons, shape.Pairs, shape.Slots, loops, minutes, steps, batch, lr, testWindows, seed, force);
        command.SetAction(parse =>
        {
            try
            {
                TorchSharp.torch.set_num_threads(1);
                OutputGuard.File(parse.GetValue(json)!, parse.GetValue(force), "--json");   // before the training, not after
                int m = parse.GetValue(vectors);
                if (m < 1) throw new ArgumentException("--vectors must be at least 1.");
                int[] ls = parse.GetValue(lengths)!.Split(',').Select(p => int.TryParse(p, out int v) && v >= 4 ? v : throw new ArgumentException($"--lengths takes numbers of bytes ≥ 4; '{p}' is not one.")).ToArray();
                double[] budgets = parse.GetValue(minutes)!.Split(',').Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0
                    ? v : throw new ArgumentException($"--minutes takes positive numbers; '{p}' is not one.")).ToArray();
                if (budgets.Length != 1 && budgets.Length != ls.Length)
                    throw new ArgumentException($"--minutes gives {budgets.Length} budgets for {ls.Length} lengths; give one, or one per length.");
                Corpus data = Corpus.Load(parse.GetValue(corpus)!);
                var (train, validation) = data.Partition(data.Split(parse.GetValue(seed), 0.1));
                byte[] trainBytes = Stream(train), testBytes = Stream(validation);
                int mostFrequent = trainBytes.GroupBy(b => b).MaxBy(g => g.Count())!.Key;
                var rows = new List<Row>();
                long stateFloats = 0, parameters = 0;
                string familyName = parse.GetValue(family)!;
                foreach (var (length, index) in ls.Select((l, i) => (l, i)))
                {
                    if (trainBytes.Length < length + 1) throw new ArgumentException($"the training documents hold {trainBytes.Length} bytes, fewer than one window of {length}.");
                    var training = new CompressionTraining(length, m, parse.GetValue(steps), budgets[budgets.Length == 1 ? 0 : index], parse.GetValue(batch), parse.GetValue(lr),
                        K: parse.GetValue(loops), Seed: parse.GetValue(seed));
                    var kind = EnumNames.Parse<ModelFamily>(familyName, "--family");
                    var config = new IsrmConfig
                    {
                        Family = kind, VocabSize = CompressionTraining.VocabSize(m), MaxContext = training.Context,
                        Width = parse.GetValue(shape.Width), Layers = parse.GetValue(shape.Layers), QueryHeads = 4, KvHeads = 2, FfnWidth = 2 * parse.GetValue(shape.Width),
                        Neurons = parse.GetValue(shape.Neurons), SyncPairs = parse.GetValue(shape.Pairs),
                        // Only RLT reads the slot count; the others must merely pass the config's check.
                        MemorySlots = kind is ModelFamily.Rlt or ModelFamily.GatedRlt ? parse.GetValue(shape.Slots) : Math.Min(parse.GetValue(shape.Slots), training.Context - 1),
                        StepEmbedding = StepEmbeddingKind.None, HaltingHead = false,
                    };
                    config.Validate();
                    TorchSharp.torch.manual_seed(parse.GetValue(seed));
                    using var encoder = new IsrmModel(config);
                    using var decoder = training.NewDecoder(encoder);
                    var test = Enumerable.Range(0, Math.Min(parse.GetValue(testWindows), testBytes.Length / length))
                        .Select(i => testBytes.AsSpan(i * length, length).ToArray().Select(b => (int)b).ToArray()).ToList();
                    if (test.Count == 0) throw new ArgumentException($"the held-out documents hold {testBytes.Length} bytes, fewer than one window of {length}.");
                    var outcome = training.Run(encoder, decoder, (random, n) =>
                    {
                        var window = new long[n * length];
                        for (int b = 0; b < n; b++)
                        {
                            int start = random.Next(trainBytes.Length - length + 1);
                            for (int i = 0; i < length; i++) window[b * length + i] = trainBytes[start + i];
                        }
                        return window;
                    }, (step, loss) => { if (step % 100 == 0) Console.WriteLine($"L {length} step {step} loss {loss:F3}"); });
                    if (outcome.Diverged) Console.WriteLine($"L {length}: training stopped at step {outcome.Steps}: the loss or its gradient was not finite; the weights before that step are kept.");
                    var score = training.Evaluate(encoder, decoder, test, mostFrequent);
                    Console.WriteLine($"L {length}: byte accuracy {score.Accuracy:P1} (quarters {string.Join(" / ", score.Quarters.Select(q => q.ToString("P0", CultureInfo.InvariantCulture)))}), " +
                        $"most frequent byte {score.MostFrequentByte:P1}; {outcome.Steps} steps in {outcome.Seconds:F0} s");
                    rows.Add(new Row(length, outcome.Steps, outcome.Seconds, outcome.FinalLoss, score.Accuracy, score.Quarters, score.MostFrequentByte, score.Windows, outcome.Diverged));
                    stateFloats = encoder.Recurrent?.StateFloats ?? 0;
                    parameters = encoder.ParameterCount + decoder.parameters().Sum(p => p.numel());
                    string commandLine = "isrm-research " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
                    JsonOutput.Write(parse.GetValue(json)!, new RunResult(commandLine, config.Family.Kebab(), m, stateFloats, parameters, rows), force: true);
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or CorpusException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    // Documents joined by blank lines, as UTF-8 bytes; training windows start anywhere, held-out ones tile the text.
    private static byte[] Stream(IEnumerable<CorpusDocument> documents) => Encoding.UTF8.GetBytes(string.Join("\n\n", documents.Select(d => d.Text)));

    /// <summary><c>isrm-research compress-report</c>: a table and a plot of byte accuracy vs L for several runs.</summary>
    public static Command CreateReport()
    {
        var runs = new Option<string[]>("--runs") { Description = "JSON files written by compress-e2e", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "Folder for compress.md and compress.png", Required = true };
        var command = CliCommands.Create("compress-report", "Table and plot of several compress-e2e runs", runs, output);
        command.SetAction(parse =>
        {
            try
            {
                var results = parse.GetValue(runs)!.Select(path => File.Exists(path)
                    ? (Name: Path.GetFileNameWithoutExtension(path), Run: JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), JsonOutput.Options)!)
                    : throw new ArgumentException($"{path} does not exist; run 'isrm-research compress-e2e --json {path}' first.")).ToList();
                string folder = parse.GetValue(output)!;
                Directory.CreateDirectory(folder);
                string table = Table(results);
                File.WriteAllText(Path.Combine(folder, "compress.md"), table);
                Plot(results, Path.Combine(folder, "compress.png"));
                Console.WriteLine(table);
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

    public static string Table(IReadOnlyList<(string Name, RunResult Run)> results)
    {
        static string P(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture);
        int[] ls = results.SelectMany(r => r.Run.Rows.Select(row => row.Length)).Distinct().Order().ToArray();
        var text = new StringBuilder();
        text.AppendLine($"| run | family | bottleneck (floats) | parameters at the last L (encoder + decoder) | {string.Join(" | ", ls.Select(l => $"L={l}"))} |");
        text.AppendLine($"| --- | --- | --- | --- | {string.Join(" | ", ls.Select(_ => "---"))} |");
        foreach (var (name, run) in results)
        {
            string bottleneck = run.StateFloats == 0 ? $"{run.Vectors} output vectors (attends to all L bytes)" : $"state {run.StateFloats:N0}";
            string cells = string.Join(" | ", ls.Select(l => run.Rows.FirstOrDefault(r => r.Length == l) is Row row
                ? $"{P(row.Accuracy)} ({row.Steps:N0} steps, {row.Seconds / 60:F1} min)" : "—"));
            text.AppendLine($"| {name} | {run.Family} | {bottleneck} | {run.Parameters:N0} | {cells} |");
        }
        string baseline = string.Join(" | ", ls.Select(l => results.SelectMany(r => r.Run.Rows).FirstOrDefault(r => r.Length == l) is Row row ? P(row.MostFrequentByte) : "—"));
        text.AppendLine($"| most frequent byte | | | | {baseline} |");
        return text.ToString();
    }

    private static void Plot(IReadOnlyList<(string Name, RunResult Run)> results, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, run) in results)
        {
            var rows = run.Rows.OrderBy(r => r.Length).ToList();
            plot.Add.Scatter(rows.Select(r => Math.Log2(r.Length)).ToArray(), rows.Select(r => 100 * r.Accuracy).ToArray()).LegendText = name;
        }
        var any = results.SelectMany(r => r.Run.Rows).OrderBy(r => r.Length).ToList();
        if (any.Count > 0) plot.Add.HorizontalLine(100 * any[0].MostFrequentByte).LinePattern = ScottPlot.LinePattern.Dotted;
        plot.Title("Compression trained end to end: L bytes → 16 vectors → L bytes");
        plot.XLabel("log2 L (bytes)");
        plot.YLabel("held-out byte accuracy (%), dotted: most frequent byte");
        plot.ShowLegend();
        plot.SavePng(path, 900, 560);
    }
}
