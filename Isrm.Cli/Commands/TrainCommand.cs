using System.CommandLine;
using System.Text.Json;
using Isrm.Model.Checkpoints;
using Isrm.Model.Config;
using Isrm.Model.Data;
using Isrm.Model.Reasoning;
using Isrm.Model.Tasks.Text;
using Isrm.Model.Tokenization;
using Isrm.Model.Training;
using Spectre.Console;

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
                // --task addition|parity trains the ISRM itself on a text task; other tasks are puzzle networks.
                string? taskName = parse.GetValue(puzzles.Task);
                ITextTask? textTask = TextTasks.Find(taskName);
                if ((taskName is not null && textTask is null) || (parse.GetValue(o.Resume) && PuzzleCheckpoint.IsPuzzle(parse.GetValue(o.Out) ?? "")))
                    return puzzles.Run(parse, o, commandLine, cancel.Token);
                // --steps has a default, so it has a result even when not typed: only a typed --steps changes a resumed run.
                using Trainer trainer = parse.GetValue(o.Resume)
                    ? Trainer.Resume(Required(parse.GetValue(o.Out), "--out"), commandLine, parse.GetResult(o.Steps) is { Implicit: false } ? parse.GetValue(o.Steps) : null)
                    : Trainer.Start(o.ModelConfig(parse), o.TrainingOptions(parse, textTask?.Name), commandLine);
                bool json = parse.GetValue(o.Json);
                if (trainer.PrecisionNote is { } note) Console.Error.WriteLine(note);
                TrainingOutcome outcome = json ? RunJson(trainer, cancel.Token) : RunWithProgress(trainer, cancel.Token);
                string where = trainer.State.Options.Out;
                if (json) Console.WriteLine(JsonSerializer.Serialize(new { outcome = outcome.ToString().ToLowerInvariant(), checkpoint = where, step = trainer.State.Step }, JsonOutput.Options));
                else AnsiConsole.MarkupLine(outcome == TrainingOutcome.Completed
                    ? $"[green]Done[/]: {trainer.State.Step:N0} steps; checkpoint in {Markup.Escape(where)}."
                    : $"[yellow]Interrupted[/] at step {trainer.State.Step:N0}; saved to {Markup.Escape(where)} (continue with --resume).");
                return outcome == TrainingOutcome.Completed ? 0 : 130;
            }
            catch (Exception e) when (e is ArgumentException or CorpusException or CheckpointException or TokenizerException or FileNotFoundException or JsonException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            finally { Console.CancelKeyPress -= onCancel; }
        });
        return command;
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{name} is required.") : value;

    private static string Quote(string arg) => arg.Contains(' ') ? $"\"{arg}\"" : arg;

    private static TrainingOutcome RunJson(Trainer trainer, CancellationToken cancel) =>
        trainer.Run(p => Console.WriteLine(JsonSerializer.Serialize(p, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase })), cancel);

    private static TrainingOutcome RunWithProgress(Trainer trainer, CancellationToken cancel)
    {
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
