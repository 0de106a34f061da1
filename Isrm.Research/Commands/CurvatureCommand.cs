namespace Isrm.Research.Commands;

/// <summary><c>isrm-research curvature</c>: turning angle and tortuosity of each checkpoint's latent trajectory (issue 14.7).</summary>
internal static class CurvatureCommand
{
    public static Command Create()
    {
        var checkpoints = new Option<string[]>("--checkpoint") { Description = "Checkpoint folders", Required = true, AllowMultipleArgumentsPerToken = true };
        var corpus = new Option<string>("--corpus") { Description = "The training corpus (its validation documents are read)", Required = true };
        var loops = CliOptions.Int("--k", "Steps (ticks) per token for models that refine", 1, 1_000_000, 16, false, "--loops");
        var windows = CliOptions.Int("--windows", "Windows per document", 1, 1_000_000, 8, false);
        var length = CliOptions.Int("--length", "Tokens per window", 1, 1_000_000, 64, false);
        var json = new Option<string?>("--json") { Description = "Also write the rows to this JSON file" };
        var force = CliOptions.Force("the --json file");
        var command = CliCommands.Create("curvature", "Mean turning angle and tortuosity of the latent trajectory, along the steps and along the tokens",
            checkpoints, corpus, loops, windows, length, json, force);
        command.SetAction(parse => MeasuringCommand.Run(parse, json, force, () =>
        {
            Corpus text = Corpus.Load(parse.GetValue(corpus)!);
            var rows = new List<object>();
            foreach (string dir in parse.GetValue(checkpoints)!)
            {
                using LoadedCheckpoint checkpoint = Checkpoint.Load(dir, ComputeDevice.Parse("cpu"));
                var documents = EvaluationDocuments.Select(text, dir, "auto").Evaluated;
                int n = parse.GetValue(windows), t = parse.GetValue(length);
                int[] ids = checkpoint.Tokenizer.Encode(string.Join("\n", documents.Select(d => d.Text)));
                if (ids.Length < n * t) throw new ArgumentException($"the validation text has {ids.Length} tokens, fewer than {n} × {t}.");
                long[] data = Enumerable.Range(0, n).SelectMany(w => ids.Skip(w * (ids.Length / n)).Take(t).Select(i => (long)i)).ToArray();
                using var scope = NewDisposeScope();
                var (steps, tokens) = TrajectoryCurvature.Run(checkpoint.Model, tensor(data, new long[] { n, t }), parse.GetValue(loops));
                int k = checkpoint.Model.Config.IsSinglePass ? 1 : parse.GetValue(loops);
                string along = steps.TurningDegrees is double a ? $"{a:F1}°, tortuosity {steps.Tortuosity:F2}" : "no path (one step)";
                Console.WriteLine($"{checkpoint.Info.Name} ({checkpoint.Info.Family}, K = {k}): along the steps {along}; along the tokens {tokens.TurningDegrees:F1}°, tortuosity {tokens.Tortuosity:F2}");
                rows.Add(new { checkpoint = checkpoint.Info.Name, family = checkpoint.Info.Family, k, alongSteps = steps, alongTokens = tokens });
            }
            if (parse.GetValue(json) is string path)
                JsonOutput.Write(path, new { command = "isrm-research " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), rows }, force: true);
            return 0;
        }));
        return command;
    }
}
