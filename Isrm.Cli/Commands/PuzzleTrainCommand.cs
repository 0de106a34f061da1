using System.CommandLine;
using System.Text.Json;
using Isrm.Model.Checkpoints;
using Isrm.Model.Reasoning;

namespace Isrm.Cli.Commands;

/// <summary>
/// <c>isrm train --task prefix-sums|mazes</c>: trains a puzzle network (Deep-Thinking recall net, progressive loss) on
/// freshly generated instances. Shares --out, --steps, --batch, --lr, --warmup, --weight-decay, --save-every, --seed,
/// --threads, --width, --heads, --resume and --json with text training.
/// </summary>
internal sealed class PuzzleTrainCommand
{
    public Option<string?> Task { get; } = new("--task") { Description = "Train on a task instead of a corpus: addition or parity (the ISRM itself, on text; see --train-sizes), prefix-sums or mazes (a puzzle network)" };
    public Option<string> Sizes { get; } = PuzzleOptions.Sizes("Puzzles: training sizes (bits, or n for n×n mazes), e.g. 9 or 1-32");
    public Option<string> Generators { get; } = PuzzleOptions.Generators();
    public Option<int> MaxIters { get; } = new("--max-iters") { Description = "Puzzles: m, the most refinement steps in training", DefaultValueFactory = _ => 30 };
    public Option<double> ProgressiveWeight { get; } = new("--progressive-weight") { Description = "Puzzles: weight of the progressive loss (the rest: loss after m steps, full backprop)", DefaultValueFactory = _ => 1.0 };
    public Option<string> Architecture { get; } = new("--architecture")
    {
        Description = "Puzzles: dt-recall (3×3 / 3-wide convolution recall net), carry (prefix sums: each position reads the previous position's state), "
            + "neighbour-attention (recurrent pre-norm attention blocks, each cell attends to its 3×3 neighbours or, for strings, i−2..i with --causal) "
            + "or transformer (non-recurrent baseline: full attention, sinusoidal positions, applied once; --heads for both attention nets)",
        DefaultValueFactory = _ => PuzzleArchitectures.DtRecall,
    };
    public Option<int> Blocks { get; } = new("--blocks") { Description = "Puzzles: residual blocks per step", DefaultValueFactory = _ => 2 };
    public Option<bool> Causal { get; } = new("--causal") { Description = "Prefix sums: causal convolutions (each bit sees only earlier bits)" };
    public Option<bool> PointwiseHead { get; } = new("--pointwise-head") { Description = "Puzzles: the head reads each position's own state only" };
    public Option<double> Curriculum { get; } = new("--curriculum") { Description = "Prefix sums: grow the longest training string over this fraction of the steps", DefaultValueFactory = _ => 0.0 };
    public Option<double?> Minutes { get; } = new("--minutes") { Description = "Puzzles: stop and save after this many minutes of training" };
    public Option<bool> NoAugment { get; } = new("--no-augment") { Description = "Mazes: no random rotations and mirrors" };

    public IEnumerable<Option> All => [Task, Sizes, Generators, MaxIters, ProgressiveWeight, Architecture, Blocks, Causal, PointwiseHead, Curriculum, Minutes, NoAugment];

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    public int Run(ParseResult parse, TrainOptionSet o, string commandLine, CancellationToken cancel) => UserError.Guard(() =>
    {
        TorchSharp.torch.set_num_threads(Math.Max(1, parse.GetValue(o.Threads)));
        string? outDir = parse.GetValue(o.Out);
        if (string.IsNullOrWhiteSpace(outDir)) throw new PuzzleFormatException("--out is required.");
        PuzzleTrainer trainer;
        if (parse.GetValue(o.Resume))
            trainer = PuzzleTrainer.Resume(outDir, commandLine, Given(parse, o.Steps) ? parse.GetValue(o.Steps) : null, parse.GetValue(Minutes));
        else
        {
            PuzzleTask task = PuzzleTasks.Parse(parse.GetValue(Task));
            var config = new PuzzleNetConfig
            {
                Task = task.Name(), Architecture = parse.GetValue(Architecture)!, Width = parse.GetValue(o.Width) ?? 32, Blocks = parse.GetValue(Blocks), Heads = parse.GetValue(o.Heads) ?? 4, Causal = parse.GetValue(Causal), PointwiseHead = parse.GetValue(PointwiseHead),
            };
            var options = new PuzzleTrainingOptions
            {
                Out = outDir,
                Sizes = PuzzleOptions.ParseSizes(parse.GetValue(Sizes)),
                Generators = PuzzleOptions.ParseGenerators(parse.GetValue(Generators), PuzzleSource.TrainingMix.Select(a => a.Name())),
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
            bool json = parse.GetValue(o.Json);
            Console.WriteLine(json
                ? JsonSerializer.Serialize(new { task = trainer.Network.Config.Task, parameters = trainer.Network.ParameterCount, @out = outDir, step = trainer.Step }, JsonOutput.Lines)
                : $"Training a {trainer.Network.Config.Task} network ({trainer.Network.ParameterCount:N0} parameters) into {outDir} from step {trainer.Step}; Ctrl-C saves and stops.");
            DateTime lastLine = DateTime.MinValue;
            bool completed = trainer.Run(p =>
            {
                if (json) { Console.WriteLine(JsonOutput.Line(p)); return; }
                if (!p.Saved && DateTime.UtcNow - lastLine < TimeSpan.FromSeconds(10)) return;
                lastLine = DateTime.UtcNow;
                Console.WriteLine($"step {p.Step}/{p.Steps} size {p.Size} iters {p.Iterations} loss {p.Loss:F4} cells {p.CellAccuracy:P2} solved {p.Solved:P1} {p.Seconds / 60:F1} min{(p.Saved ? " [saved]" : "")}");
            }, cancel);
            Console.WriteLine(completed ? $"Done: {trainer.Step:N0} steps; checkpoint in {outDir}." : $"Interrupted at step {trainer.Step:N0}; saved to {outDir} (continue with --resume).");
            return completed ? 0 : 130;
        }
    });
}
