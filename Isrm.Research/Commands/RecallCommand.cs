using Spectre.Console;

namespace Isrm.Research.Commands;

/// <summary>
/// <c>isrm-research recall</c>: trains one model on multi-query associative recall and measures accuracy per number of
/// pairs N; <c>isrm-research recall-report</c> gathers several such runs into a table and a plot.
/// </summary>
internal static class RecallCommand
{
    /// <summary>
    /// The numbers of pairs every run is measured on: the 4 … 256, and 1 and 2 below them, so that a small state
    /// whose accuracy is already under 90 % at N = 4 still shows where its limit lies.
    /// </summary>
    public static readonly int[] Sweep = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    /// <summary>Accuracy at N pairs on fresh sequences seeded by N alone (seed 1000 + N), so every run meets the same ones.</summary>
    private static double Measure(AssociativeRecall task, IsrmModel model, int pairs, int sequences) =>
        task.Accuracy(model, pairs, sequences, seed: 1000 + pairs, loops: Math.Max(1, model.Config.Ticks));

    /// <summary>What one run writes to recall.json beside its checkpoint.</summary>
    public sealed record RunResult(string Command, string Family, long StateFloats, long Parameters, int[] TrainPairs, int Steps, double Seconds,
        double FinalLoss, int MaxContext, Dictionary<int, double> Accuracy, bool Diverged = false, int? EvalSequences = null);

    public static Command Create()
    {
        var family = new Option<string>("--family") { Description = "isrm | transformer | rlm | rlt | gated-rlt", Required = true };
        var output = new Option<string>("--out") { Description = "Checkpoint folder (recall.json is written into it)", Required = true };
        var shape = new ModelShapeOptions(syncPairs: 256, memorySlots: 4);
        var ticks = CliOptions.Int("--ticks", "Core updates per token", 1, 1_000_000, 1, false);
        var window = CliOptions.Int("--window", "Recurrent families: attention memory over the last W tokens (the hybrid); 0 = none", 0, 1_000_000, 0, false);
        var minutes = CliOptions.Real("--minutes", "Wall-time budget of the training", 0.001, 100_000, 10);
        var steps = CliOptions.Int("--steps", "Optimizer steps", 1, 100_000_000, 100_000, false);
        var batch = CliOptions.Int("--batch", "Batch size", 1, 1_000_000, 32, false);
        var lr = CliOptions.Real("--lr", "Learning rate", 1e-9, 10, 3e-3);
        var sequences = CliOptions.Int("--eval-sequences", "Fresh sequences per N for the accuracy", 1, 1_000_000, 128, false);
        var seed = CliOptions.Int("--seed", "Seed", 0, int.MaxValue, 1, false);
        var trainPairs = new Option<string>("--train-pairs") { Description = "Numbers of pairs drawn for training batches (the sweep is always 4 … 256)", DefaultValueFactory = _ => "4,8,16,32,64" };
        var command = CliCommands.Create("recall", "Train one model on multi-query associative recall (N = 4 … 256 pairs) and measure accuracy per N",
            family, output, shape.Width, shape.Layers, shape.Neurons, shape.Pairs, shape.Slots, ticks, window, minutes, steps, batch, lr, sequences, seed, trainPairs);
        command.SetAction(parse =>
        {
            try
            {
                TorchSharp.torch.set_num_threads(1);
                var task = new AssociativeRecall();
                var config = new IsrmConfig
                {
                    Family = EnumNames.Parse<ModelFamily>(parse.GetValue(family)!, "--family"), VocabSize = task.VocabSize, MaxContext = task.Length(Sweep[^1]),
                    Width = parse.GetValue(shape.Width), Layers = parse.GetValue(shape.Layers), QueryHeads = 4, KvHeads = 2, FfnWidth = 2 * parse.GetValue(shape.Width),
                    Neurons = parse.GetValue(shape.Neurons), SyncPairs = parse.GetValue(shape.Pairs), MemorySlots = parse.GetValue(shape.Slots),
                    Ticks = parse.GetValue(ticks), Window = parse.GetValue(window), StepEmbedding = StepEmbeddingKind.None, HaltingHead = false,
                };
                using var model = new IsrmModel(config);
                int[] trained = parse.GetValue(trainPairs)!.Split(',').Select(p => int.TryParse(p, out int v) && v >= 1 && v <= task.Keys ? v : throw new ArgumentException($"--train-pairs takes numbers from 1 to {task.Keys}; '{p}' is not one.")).ToArray();
                var training = new RecallTraining(trained, parse.GetValue(steps), parse.GetValue(minutes), parse.GetValue(batch), parse.GetValue(lr), Seed: parse.GetValue(seed));
                var outcome = training.Run(model, task, (step, loss) => { if (step % 50 == 0) Console.WriteLine($"step {step} loss {loss:F3}"); });
                if (outcome.Diverged) AnsiConsole.MarkupLine($"[yellow]training stopped at step {outcome.Steps}: the loss or its gradient was not finite; the weights before that step are kept.[/]");
                var accuracy = new Dictionary<int, double>();
                foreach (int n in Sweep)
                {
                    accuracy[n] = Measure(task, model, n, parse.GetValue(sequences));
                    Console.WriteLine($"N {n}: accuracy {accuracy[n]:P1}");
                }
                long stateFloats = model.Recurrent?.StateFloats ?? 0;
                string commandLine = "isrm-research " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
                var result = new RunResult(commandLine, config.Family.Kebab(), stateFloats, model.ParameterCount, trained, outcome.Steps, outcome.Seconds,
                    outcome.FinalLoss, config.MaxContext, accuracy, outcome.Diverged, parse.GetValue(sequences));
                var metadata = new CheckpointMetadata
                {
                    Command = commandLine, Corpus = "generated: multi-query associative recall", Step = outcome.Steps,
                    Metrics = accuracy.ToDictionary(a => $"recallAccuracyN{a.Key}", a => a.Value),
                    Notes = new() { ["task"] = JsonSerializer.Serialize(task), ["trainedSeconds"] = outcome.Seconds.ToString("F0") },
                };
                string folder = parse.GetValue(output)!;
                Checkpoint.Save(folder, model, new ByteTokenizer(), metadata,
                    dir => File.WriteAllText(Path.Combine(dir, "recall.json"), JsonSerializer.Serialize(result, JsonOutput.Options)));
                AnsiConsole.MarkupLine($"{config.Family}: {outcome.Steps} steps in {outcome.Seconds:F0} s; saved {Markup.Escape(folder)}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// <c>isrm-research recall-eval</c>: measures a trained run's checkpoint on the numbers of pairs of <see cref="Sweep"/> its
    /// recall.json lacks (runs saved before the sweep grew) and adds them; the measured ones are left as they are.
    /// </summary>
    public static Command CreateEval()
    {
        var runs = new Option<string[]>("--runs") { Description = "Run folders (checkpoint and recall.json)", Required = true, AllowMultipleArgumentsPerToken = true };
        var sequences = CliOptions.Int("--eval-sequences", "Fresh sequences per N for the accuracy", 1, 1_000_000, 64, false);
        var command = CliCommands.Create("recall-eval", "Measure saved recall runs on the numbers of pairs their recall.json lacks", runs, sequences);
        command.SetAction(parse =>
        {
            try
            {
                TorchSharp.torch.set_num_threads(1);
                var task = new AssociativeRecall();
                foreach (string dir in parse.GetValue(runs)!)
                {
                    string path = Path.Combine(dir, "recall.json");
                    if (!File.Exists(path)) throw new ArgumentException($"{dir} holds no recall.json; run 'isrm-research recall --out {dir}' first.");
                    var run = JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), JsonOutput.Options)!;
                    using LoadedCheckpoint checkpoint = Checkpoint.Load(dir, ComputeDevice.Parse("cpu"));
                    checkpoint.Model.eval();
                    var accuracy = new Dictionary<int, double>(run.Accuracy);
                    foreach (int n in Sweep.Where(n => !accuracy.ContainsKey(n)))
                    {
                        accuracy[n] = Measure(task, checkpoint.Model, n, parse.GetValue(sequences));
                        Console.WriteLine($"{Path.GetFileName(Path.GetFullPath(dir))}: N {n}: accuracy {accuracy[n]:P1}");
                    }
                    var sorted = accuracy.OrderBy(a => a.Key).ToDictionary(a => a.Key, a => a.Value);
                    File.WriteAllText(path, JsonSerializer.Serialize(run with { Accuracy = sorted }, JsonOutput.Options));
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or JsonException or CheckpointException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
