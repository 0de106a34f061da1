using Isrm.Model.Evaluation;
using Isrm.Model.Runtime;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm eval</c>: held-out loss, delta, residual and KL of checkpoints across K; writes JSON, CSV and plots.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoints = Checkpoints("Checkpoint folder (repeat for several)");
        var corpus = CliOptions.Path("--corpus", "Folder of .txt files: the training corpus (its recorded validation documents are used) or any other (every document is used)", PathKind.InputFolder, required: true);
        var split = CliOptions.Text("--split", "auto | validation | all: which documents of --corpus to evaluate", "auto");
        var ks = CliOptions.Depth("Depths to measure, e.g. 1,2,4,8,16,32,64,128,256,inf", "1,2,4,8,16,32,64,128,256,inf");
        var json = CliOptions.Json("the results; to a FILE, with CSV and PNG plots beside it");
        var windows = CliOptions.Int("--windows", "Validation windows (of the training context length)", 1, 100_000, 48);
        var threads = CliOptions.Threads(1);
        var device = CliOptions.Text("--device", "cpu | cuda", "cpu");
        var solver = CliOptions.OptionalText("--solver", "Override the checkpoint's solver at inference: iterate | anderson");
        var tolerance = CliOptions.Single("--kl-tolerance", "Stop rule of K = inf (KL between successive steps)", 1e-38, 10, 1e-3f);
        var infCap = CliOptions.Cap(RefinementDepth.DefaultCap, max: MaxK);
        var force = CliOptions.Force("the --json file and the CSV and plots beside it");
        var command = CliCommands.Create("eval", "Evaluate checkpoints across refinement depths K (loss, bits/byte, delta, residual, KL; K = inf adaptive)",
            checkpoints, corpus, split, ks, json, windows, threads, device, solver, tolerance, infCap, force);
        command.SetAction(parse =>
        {
            try
            {
                IReadOnlyList<RefinementDepth> depths = ParseDepths(parse.GetValue(ks), parse.GetValue(infCap));
                bool jsonWanted = CliOptions.JsonWanted(parse, json, parse.GetValue(force), out string? jsonFile);
                TorchSharp.torch.set_num_threads(parse.GetValue(threads));
                Corpus data = Corpus.Load(parse.GetValue(corpus)!);
                var all = new List<ScalingResult>();
                foreach (string dir in parse.GetValue(checkpoints)!)
                {
                    string? solverName = parse.GetValue(solver);
                    SolverKind? solverKind = solverName is null ? null : EnumNames.Parse<SolverKind>(solverName, "--solver");
                    using LoadedCheckpoint checkpoint = Checkpoint.Load(dir, ComputeDevice.Parse(parse.GetValue(device)),
                        solverKind is not SolverKind kind ? null : c => c with { Solver = kind });
                    EvaluationDocuments documents = EvaluationDocuments.Select(data, dir, parse.GetValue(split)!);
                    AnsiConsole.WriteLine(documents.Description);
                    IReadOnlyList<CorpusDocument> validation = documents.Evaluated;
                    var settings = new ScalingEvaluator.Settings(TrainingContext(dir, checkpoint), parse.GetValue(windows),
                        InfCap: parse.GetValue(infCap), KlTolerance: parse.GetValue(tolerance));
                    IReadOnlyList<ScalingResult> results = AnsiConsole.Status().Start($"evaluating {checkpoint.Info.Name}", ctx =>
                        ScalingEvaluator.Evaluate(checkpoint, validation, depths, settings, s => ctx.Status(Markup.Escape(s))));
                    if (solverName is not null) results = results.Select(r => r with { Checkpoint = $"{r.Checkpoint} ({solverName})" }).ToList();
                    all.AddRange(results);
                    Print(results);
                }
                if (jsonFile is not null) ScalingReportFiles.Write(jsonFile, all);
                else if (jsonWanted) foreach (ScalingResult r in all) Console.Out.WriteLine(JsonOutput.Line(r));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or CorpusException or CheckpointException or TokenizerException or IOException)
            {
                Console.Error.WriteLine(e.Message.ReplaceLineEndings(" "));
                return 1;
            }
        });
        return command;
    }

    /// <summary>The deepest K <c>--k</c> may list.</summary>
    private const int MaxK = 4096;

    /// <summary>
    /// <c>--k 1,8,inf</c>: every entry a K from 1 to the cap or inf; an empty entry (<c>1,,4</c>) is a mistake, not skipped.
    /// </summary>
    internal static IReadOnlyList<RefinementDepth> ParseDepths(string? text, int cap)
    {
        string[] parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0))
            throw new ArgumentException($"--k has an empty entry in '{CliOptions.Shown(text ?? "")}'; list K values such as 1,8,32,inf.");
        return RefinementDepth.ParseList(text, cap, "--k");
    }

    /// <summary>A repeatable <c>--checkpoint</c> (several folders), each checked to be a folder at parse time.</summary>
    internal static Option<string[]> Checkpoints(string description)
    {
        var option = new Option<string[]>("--checkpoint") { Description = description, AllowMultipleArgumentsPerToken = true, Required = true };
        return CliOptions.Paths(option, PathKind.InputFolder);
    }

    private static int TrainingContext(string dir, LoadedCheckpoint checkpoint)
    {
        string state = Path.Combine(dir, Trainer.StateFile);
        if (!File.Exists(state))
            return checkpoint.Info.Metadata.Notes.TryGetValue(CheckpointMetadata.TrainingContextNote, out string? recorded) && int.TryParse(recorded, out int context)
                ? context : checkpoint.Model.Config.MaxContext;
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(state));
        return doc.RootElement.GetProperty("options").GetProperty("context").GetInt32();
    }

    private static void Print(IReadOnlyList<ScalingResult> results)
    {
        var table = new Table().Title(Markup.Escape(results[0].Checkpoint));
        foreach (string c in new[] { "K", "nats/token", "bits/byte", "ppl", "delta", "residual", "KL to prev", "K reached" }) table.AddColumn(c);
        foreach (ScalingResult r in results)
            table.AddRow(r.K.ToString(), $"{r.LossNatsPerToken:F4}", $"{r.BitsPerByte:F4}", $"{r.Perplexity:F2}", $"{r.MeanDelta:G3}", $"{r.MeanResidual:G3}",
                r.KlToPrevious is double kl ? $"{kl:G3}" : "", r.MeanKReached is double m ? $"{m:F1}" : "");
        AnsiConsole.Write(table);
    }
}
