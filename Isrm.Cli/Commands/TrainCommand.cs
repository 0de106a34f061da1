namespace Isrm.Cli.Commands;

/// <summary><c>isrm train</c>: trains an ISRM or its transformer baseline on a corpus folder, with progress, metrics and Ctrl-C save.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var o = new TrainOptionSet();
        var command = new Command("train", "Train an ISRM, its plain-transformer baseline or a recurrent family (rlm, rlt, gated-rlt) on a corpus");
        foreach (Option option in o.All) command.Options.Add(option);
        var puzzles = new PuzzleTrainCommand();
        foreach (Option option in puzzles.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            // SIGTERM (kill, service managers) also stops cleanly with a saved checkpoint.
            using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; cancel.Cancel(); });
            try
            {
                string commandLine = "isrm " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote));
                bool resume = parse.GetValue(o.Resume);
                string outDir = Required(parse.GetValue(o.Out), "--out");
                // --task addition|parity trains the ISRM itself on a text task; other tasks are puzzle networks.
                string? taskName = parse.GetValue(puzzles.Task);
                ITextTask? textTask = TextTasks.Find(taskName);
                bool puzzle = (taskName is not null && textTask is null) || (resume && CheckpointFolder.IsPuzzle(outDir));
                // an unknown task is told before --out is claimed (and, with --force, emptied)
                if (taskName is not null && textTask is null && PuzzleTasks.Find(taskName) is null)
                    throw TaskRegistry.Unknown(taskName);
                if (resume)
                {
                    if (parse.GetValue(o.Force)) throw new ArgumentException("--resume continues the run in --out and --force starts a new one over it: pass one of them.");
                    RunPlan.RefuseChanges(parse, puzzle ? o.ResumeOptions.Append(puzzles.Minutes) : o.ResumeOptions);
                }
                // A new text run's settings are checked before its folder is claimed: a mistake is told as itself.
                (IsrmConfig Config, TrainingOptions Options)? plan = resume || puzzle ? null : (o.ModelConfig(parse), o.TrainingOptions(parse, textTask?.Name));
                if (!resume) RunPlan.ClaimFolder(outDir, parse.GetValue(o.Force));
                if (puzzle) return puzzles.Run(parse, o, commandLine, cancel.Token);
                int? steps = parse.GetResult(o.Steps) is { Implicit: false } ? parse.GetValue(o.Steps) : null;
                using Trainer trainer = plan is var (config, options)
                    ? Trainer.Start(config, options, commandLine)
                    : Trainer.Resume(outDir, commandLine, steps);
                if (resume && RunPlan.Finished(trainer.State.Step, trainer.State.Options.Steps, outDir)) return 0;
                if (trainer.ExtendedFrom is int before && trainer.State.Step < trainer.State.Options.Steps)
                    Console.Error.WriteLine($"Extending the run from {before:N0} to {trainer.State.Options.Steps:N0} steps: its learning rate now decays until step {trainer.State.Options.Steps:N0}.");
                if (trainer.PrecisionNote is { } note) Console.Error.WriteLine(note);
                bool json = CliOptions.JsonWanted(parse, o.Json, out string? jsonFile);
                using TextWriter? file = jsonFile is null ? null : new StreamWriter(jsonFile, append: false);
                TextWriter lines = file ?? Console.Out;
                TrainingOutcome outcome = json ? RunJson(trainer, lines, cancel.Token) : RunWithProgress(trainer, cancel.Token);
                string where = trainer.State.Options.Out;
                if (json) lines.WriteLine(JsonOutput.Line(new { outcome = outcome.ToString().ToLowerInvariant(), checkpoint = where, step = trainer.State.Step }));
                if (json || Console.IsOutputRedirected) Console.Error.WriteLine(Ending(outcome, trainer.State.Step, where));
                else AnsiConsole.MarkupLine(Markup.Escape(Ending(outcome, trainer.State.Step, where)));
                return ExitCode(outcome);
            }
            catch (Exception e) when (e is ArgumentException or CorpusException or CheckpointException or TokenizerException or FileNotFoundException or JsonException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e.Message.ReplaceLineEndings(" "));
                return 1;
            }
            finally { Console.CancelKeyPress -= onCancel; }
        });
        return command;
    }

    /// <summary>The last line of a training run, text or puzzle: how it ended and where its checkpoint is.</summary>
    internal static string Ending(TrainingOutcome outcome, int step, string where) => outcome switch
    {
        TrainingOutcome.Completed => $"Done: {step:N0} steps; checkpoint in {where}.",
        TrainingOutcome.Diverged => $"Stopped at step {step:N0}: the loss (or gradient) was no longer a finite number; the last finite weights are saved in {where}. Try a lower --lr.",
        _ => $"Interrupted at step {step:N0}; saved to {where} (continue with --resume).",
    };

    /// <summary>0 for a finished run, 1 for a diverged one, 130 for one stopped by Ctrl-C.</summary>
    internal static int ExitCode(TrainingOutcome outcome) => outcome switch
    {
        TrainingOutcome.Completed => 0,
        TrainingOutcome.Diverged => 1,
        _ => 130,
    };

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{name} is required.") : value;

    private static string Quote(string arg) => arg.Contains(' ') ? $"\"{arg}\"" : arg;

    private static TrainingOutcome RunJson(Trainer trainer, TextWriter lines, CancellationToken cancel) =>
        trainer.Run(p => { lines.WriteLine(JsonOutput.Line(p)); lines.Flush(); }, cancel);

    private static TrainingOutcome RunWithProgress(Trainer trainer, CancellationToken cancel)
    {
        if (trainer.State.Step > 0)
            Console.Error.WriteLine($"Resuming at step {trainer.State.Step:N0} of {trainer.State.Options.Steps:N0} (the run's own plan: learning rate, K and data continue where they stopped).");
        AnsiConsole.MarkupLine($"Training {trainer.Model.Config.Family} ({trainer.Model.ParameterCount:N0} parameters) into {Markup.Escape(trainer.State.Options.Out)}; Ctrl-C saves and stops.");
        double? lastVal = null;
        return AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("starting", maxValue: trainer.State.Options.Steps);
                task.Value = trainer.State.Step;
                return trainer.Run(p =>
                {
                    lastVal = p.ValLoss ?? lastVal;
                    string val = lastVal is double v ? $" val {v:F3}" : "";
                    if (p.ValExact is { } exact) val += " exact " + string.Join(' ', exact.Select(e => $"{e.Key}:{e.Value:P0}"));
                    task.Description = $"step {p.Step}/{p.Steps} loss {p.TrainLoss:F3}{val} K={p.K} {p.TokensPerSec:N0} tok/s";
                    task.Value = p.Step;
                }, cancel);
            });
    }
}
