namespace Isrm.Cli.Commands;

/// <summary>
/// <c>isrm train --task NAME</c> for a puzzle task: trains a puzzle network (Deep-Thinking recall net, progressive loss) on
/// freshly generated instances. Shares --out, --steps, --batch, --lr, --warmup, --weight-decay, --save-every, --seed,
/// --threads, --width, --heads, --resume and --json with text training.
/// </summary>
internal sealed class PuzzleTrainCommand
{
    public Option<string?> Task { get; } = CliOptions.OptionalText("--task",
        $"Train on a task instead of a corpus: {TaskRegistry.Names(TextTasks.All.Select(t => t.Name))} (the ISRM itself, on text; see --train-sizes), "
            + $"{TaskRegistry.Names(PuzzleTasks.All.Select(t => t.Name))} (a puzzle network)");
    public Option<string> Sizes { get; } = PuzzleCliOptions.Sizes("Puzzles: training sizes (bits, or n for n×n mazes), e.g. 9 or 1-32");
    public Option<string> Generators { get; } = PuzzleCliOptions.Generators();
    public Option<int> MaxIters { get; } = CliOptions.Int("--max-iters", "Puzzles: m, the most refinement steps in training", 1, 100_000, 30);
    public Option<double> ProgressiveWeight { get; } = CliOptions.Real("--progressive-weight", "Puzzles: weight of the progressive loss (the rest: loss after m steps, full backprop)", 0, 1, 1.0);
    public Option<string> Architecture { get; } = CliOptions.Text("--architecture", ArchitectureHelp, PuzzleArchitectures.DtRecall);

    private const string ArchitectureHelp =
        "Puzzles: dt-recall (3×3 / 3-wide convolution recall net), carry (prefix sums: each position reads the previous position's state), "
            + "neighbour-attention (recurrent pre-norm attention blocks, each cell attends to its 3×3 neighbours or, for strings, i−2..i with --causal) "
            + "or transformer (non-recurrent baseline: full attention, sinusoidal positions, applied once; --heads for both attention nets)";
    public Option<int> Blocks { get; } = CliOptions.Int("--blocks", "Puzzles: residual blocks per step", 1, 64, 2);
    public Option<bool> Causal { get; } = CliOptions.Flag("--causal", "Prefix sums: causal convolutions (each bit sees only earlier bits)");
    public Option<bool> PointwiseHead { get; } = CliOptions.Flag("--pointwise-head", "Puzzles: the head reads each position's own state only");
    public Option<double> Curriculum { get; } = CliOptions.Real("--curriculum", "Prefix sums: grow the longest training string over this fraction of the steps (0 = off)", 0, 1, 0.0);
    public Option<double?> Minutes { get; } = CliOptions.OptionalReal("--minutes", "Puzzles: the run's total training time in minutes (a resumed run counts the time already spent); it stops and saves there", 0.01, 1_000_000);
    public Option<bool> NoAugment { get; } = CliOptions.Flag("--no-augment", "Mazes: no random rotations and mirrors");

    public IEnumerable<Option> All => [Task, Sizes, Generators, MaxIters, ProgressiveWeight, Architecture, Blocks, Causal, PointwiseHead, Curriculum, Minutes, NoAugment];

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    public int Run(ParseResult parse, TrainOptionSet o, string commandLine, CancellationToken cancel) => UserError.Guard(() =>
    {
        TorchSharp.torch.set_num_threads(Math.Max(1, parse.GetValue(o.Threads)));
        string outDir = parse.GetValue(o.Out)!;
        PuzzleTrainer trainer;
        if (parse.GetValue(o.Resume))
            trainer = PuzzleTrainer.Resume(outDir, commandLine, Given(parse, o.Steps) ? parse.GetValue(o.Steps) : null, parse.GetValue(Minutes));
        else
        {
            PuzzleTask task = PuzzleTasks.Parse(parse.GetValue(Task));   // TrainCommand has refused an unknown task before --out was claimed
            var config = new PuzzleNetConfig
            {
                Task = task.Name, Architecture = Given(parse, Architecture) ? parse.GetValue(Architecture)! : task.DefaultArchitecture, Width = parse.GetValue(o.Width) ?? 32, Blocks = parse.GetValue(Blocks), Heads = parse.GetValue(o.Heads) ?? 4, Causal = parse.GetValue(Causal), PointwiseHead = parse.GetValue(PointwiseHead),
            };
            var options = new PuzzleTrainingOptions
            {
                Out = outDir,
                Sizes = PuzzleCliOptions.ParseSizes(parse.GetValue(Sizes)),
                Generators = PuzzleCliOptions.ParseGenerators(parse.GetValue(Generators), task, task.TrainingVariants),
                Steps = parse.GetValue(o.Steps),
                Batch = Given(parse, o.Batch) ? parse.GetValue(o.Batch) : 32,
                MaxIterations = parse.GetValue(MaxIters),
                Alpha = parse.GetValue(ProgressiveWeight),
                LearningRate = Given(parse, o.Lr) ? parse.GetValue(o.Lr) : 1e-3,
                WeightDecay = Given(parse, o.WeightDecay) ? parse.GetValue(o.WeightDecay) : 2e-4,
                WarmupSteps = Given(parse, o.Warmup) ? parse.GetValue(o.Warmup) : 100,
                Augment = !parse.GetValue(NoAugment),
                Curriculum = parse.GetValue(Curriculum),
                SaveEvery = Given(parse, o.SaveEvery) ? parse.GetValue(o.SaveEvery) : 200,
                MaxMinutes = parse.GetValue(Minutes),
                Seed = parse.GetValue(o.Seed),
            };
            trainer = PuzzleTrainer.Start(config, options, commandLine);
        }
        using (trainer)
        {
            if (parse.GetValue(o.Resume) && Finished(trainer, outDir)) return 0;
            bool json = CliOptions.JsonWanted(parse, o.Json, out string? jsonFile);
            using TextWriter? file = jsonFile is null ? null : new StreamWriter(jsonFile, append: false);
            TextWriter lines = file ?? Console.Out;
            string budget = trainer.Options.MaxMinutes is double minutes ? $", at most {minutes:G4} minutes of training in all (--minutes is the run's total)" : "";
            string start = $"Training a {trainer.Network.Config.Task} network ({trainer.Network.ParameterCount:N0} parameters) into {outDir} from step {trainer.Step} of {trainer.Options.Steps}{budget}; Ctrl-C saves and stops.";
            if (json) lines.WriteLine(JsonOutput.Line(new { task = trainer.Network.Config.Task, parameters = trainer.Network.ParameterCount, @out = outDir, step = trainer.Step }));
            (json ? Console.Error : Console.Out).WriteLine(start);
            DateTime lastLine = DateTime.MinValue;
            TrainingOutcome outcome = trainer.Run(p =>
            {
                if (json) { lines.WriteLine(JsonOutput.Line(p)); lines.Flush(); return; }
                if (!p.Saved && DateTime.UtcNow - lastLine < TimeSpan.FromSeconds(10)) return;
                lastLine = DateTime.UtcNow;
                Console.WriteLine($"step {p.Step}/{p.Steps} size {p.Size} iters {p.K} loss {p.TrainLoss:F4} cells {p.Accuracy:P2} solved {p.Solved:P1} {p.ElapsedSec / 60:F1} min{(p.Saved ? " [saved]" : "")}");
            }, cancel);
            (json ? Console.Error : Console.Out).WriteLine(TrainCommand.Ending(outcome, trainer.Step, outDir));
            return TrainCommand.ExitCode(outcome);
        }
    });

    /// <summary>True (after saying so) when a resumed puzzle run has used all its steps or its time budget.</summary>
    private static bool Finished(PuzzleTrainer trainer, string outDir)
    {
        if (RunPlan.Finished(trainer.Step, trainer.Options.Steps, outDir)) return true;
        if (trainer.Options.MaxMinutes is not double budget || trainer.SecondsBefore < budget * 60) return false;
        Console.Error.WriteLine($"The run in '{outDir}' has used its whole budget of {budget:G4} minutes (--minutes is the run's total training time); pass --minutes M (more than {budget:G4}) with --resume to train it further.");
        return true;
    }
}
