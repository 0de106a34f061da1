using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Isrm.Model.Checkpoints;
using Isrm.Model.Data;
using Isrm.Model.Evaluation;
using Isrm.Model.Runtime;
using Isrm.Model.Tokenization;
using Isrm.Model.Training;
using Spectre.Console;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm eval</c>: held-out loss, delta, residual and KL of checkpoints across K; writes JSON, CSV and plots.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoints = new Option<string[]>("--checkpoint") { Description = "Checkpoint folder (repeat for several)", AllowMultipleArgumentsPerToken = true, Required = true };
        var corpus = new Option<string>("--corpus") { Description = "Folder of .txt files: the training corpus (its recorded validation documents are used) or any other (every document is used)", Required = true };
        var split = new Option<string>("--split") { Description = "auto | validation | all: which documents of --corpus to evaluate", DefaultValueFactory = _ => "auto" };
        var ks = new Option<string>("--k") { Description = "Depths to measure, e.g. 1,2,4,8,16,32,64,128,256,inf", DefaultValueFactory = _ => "1,2,4,8,16,32,64,128,256,inf" };
        var json = new Option<string?>("--json") { Description = "Write results to this JSON file (CSV and PNG plots beside it)" };
        var windows = new Option<int>("--windows") { Description = "Validation windows (of the training context length)", DefaultValueFactory = _ => 48 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu" };
        var solver = new Option<string?>("--solver") { Description = "Override the checkpoint's solver at inference: iterate | anderson" };
        var tolerance = new Option<float>("--kl-tolerance") { Description = "Stop rule of K = inf (KL between successive steps)", DefaultValueFactory = _ => 1e-3f };
        var infCap = new Option<int>("--inf-cap") { Description = "Hard cap on steps for K = inf", DefaultValueFactory = _ => 256 };
        var command = new Command("eval", "Evaluate checkpoints across refinement depths K (loss, bits/byte, delta, residual, KL; K = inf adaptive)");
        foreach (Option o in new Option[] { checkpoints, corpus, split, ks, json, windows, threads, device, solver, tolerance, infCap }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                IReadOnlyList<int?> depths = ParseKs(parse.GetValue(ks)!);
                TorchSharp.torch.set_num_threads(parse.GetValue(threads));
                Corpus data = Corpus.Load(parse.GetValue(corpus)!);
                var all = new List<ScalingResult>();
                foreach (string dir in parse.GetValue(checkpoints)!)
                {
                    string? solverName = parse.GetValue(solver);
                    if (solverName is not null and not ("iterate" or "anderson")) throw new ArgumentException("--solver must be iterate or anderson.");
                    using LoadedCheckpoint checkpoint = Checkpoint.Load(dir, ComputeDevice.Parse(parse.GetValue(device)),
                        solverName is null ? null : c => c with { Solver = solverName });
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
                if (parse.GetValue(json) is string path) ScalingReportFiles.Write(path, all);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or CorpusException or CheckpointException or TokenizerException or IOException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>"1,2,inf" → [1, 2, null]; one sentence for anything else.</summary>
    public static IReadOnlyList<int?> ParseKs(string text)
    {
        var list = new List<int?>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part is "inf" or "∞") list.Add(null);
            else if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k is >= 1 and <= 4096) list.Add(k);
            else throw new ArgumentException($"--k takes depths from 1 to 4096 or 'inf' separated by commas; '{part}' is neither.");
        }
        if (list.Count == 0) throw new ArgumentException("--k names no depth.");
        return list;
    }

    private static int TrainingContext(string dir, LoadedCheckpoint checkpoint)
    {
        string state = Path.Combine(dir, Trainer.StateFile);
        if (!File.Exists(state)) return checkpoint.Model.Config.MaxContext;
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(state));
        return doc.RootElement.GetProperty("options").GetProperty("context").GetInt32();
    }

    private static void Print(IReadOnlyList<ScalingResult> results)
    {
        var table = new Table().Title(Markup.Escape(results[0].Checkpoint));
        foreach (string c in new[] { "K", "nats/token", "bits/byte", "ppl", "delta", "residual", "KL to prev", "K reached" }) table.AddColumn(c);
        foreach (ScalingResult r in results)
            table.AddRow(r.K, $"{r.LossNatsPerToken:F4}", $"{r.BitsPerByte:F4}", $"{r.Perplexity:F2}", $"{r.MeanDelta:G3}", $"{r.MeanResidual:G3}",
                r.KlToPrevious is double kl ? $"{kl:G3}" : "", r.MeanKReached is double m ? $"{m:F1}" : "");
        AnsiConsole.Write(table);
    }
}
