namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench refiner</c>: what the refinement engine costs on top of the network. K steps of
/// <see cref="Refiner.Run"/> against K bare calls of <see cref="IsrmModel.Step"/> on the same input, for a whole-context
/// refinement (prefill) and a one-token cached decode; the engine with per-step logits (as generation runs it) and without.
/// </summary>
internal static class RefinerBenchmark
{
    private sealed record Row(string Setting, int K, double BareMsPerStep, double RefinerMsPerStep, double RefinerWithLogitsMsPerStep,
        double Ratio, double RatioWithLogits);

    private sealed record Report(string Model, int Context, int Repeats, Row[] Rows);

    private enum Path { Bare, Refiner, RefinerWithLogits }

    public static Command Create()
    {
        var checkpointOption = BenchModel.CheckpointOption();
        var contextOption = new Option<int>("--context") { Description = "Tokens refined at once (prefill); the decode row refines the token after context − 1", DefaultValueFactory = _ => 256 };
        var loopsOption = new Option<string>("--k", "--loops") { Description = "K values, comma-separated", DefaultValueFactory = _ => "8,32" };
        var repeatsOption = new Option<int>("--repeats") { Description = "Runs per path; the fastest counts", DefaultValueFactory = _ => 5 };
        var jsonOption = BenchCommands.JsonOption();
        var command = CliCommands.Create("refiner", "Refinement step time (Refiner.Run) vs the bare model.Step calls it makes, at prefill and cached decode",
            checkpointOption, contextOption, loopsOption, repeatsOption, jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            int[] loops = RefinementDepth.ParseFiniteList(parse.GetValue(loopsOption), 4096, "--k");
            int context = parse.GetValue(contextOption), repeats = parse.GetValue(repeatsOption);
            if (context < 2) throw new ArgumentException($"--context must be at least 2 (got {context}).");
            if (repeats < 1) throw new ArgumentException($"--repeats must be at least 1 (got {repeats}).");
            string? checkpoint = parse.GetValue(checkpointOption);
            if (checkpoint is not null) Checkpoint.Inspect(checkpoint);
            bool json = parse.GetValue(jsonOption);
            using var thread = new ModelThread("isrm-bench", 1);
            Report report = await thread.RunAsync(() =>
            {
                using LoadedCheckpoint model = BenchModel.Load(checkpoint);
                if (context > model.Model.Config.MaxContext)
                    throw new ArgumentException($"--context {context} exceeds the model's maximum context of {model.Model.Config.MaxContext}.");
                if (model.Model.Recurrent is not null) throw new ArgumentException("bench refiner measures refinement steps; a recurrent family has one pass.");
                long[] ids = model.Tokenizer.Encode(BenchModel.Prompt(model.Tokenizer, context)).Select(t => (long)t).ToArray();
                if (ids.Length < context) throw new ArgumentException($"the benchmark prompt gives {ids.Length} tokens with this tokenizer, fewer than --context {context}.");
                var rows = new List<Row>();
                foreach (bool decode in new[] { false, true })
                    foreach (int k in loops)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        foreach (Path path in Enum.GetValues<Path>()) Time(model.Model, ids, k, path, decode);   // warm-up at this size
                        // Paths alternate within each repeat so that drifts of a shared machine hit all three alike.
                        var best = Enum.GetValues<Path>().ToDictionary(p => p, _ => double.MaxValue);
                        for (int r = 0; r < repeats; r++)
                            foreach (Path path in Enum.GetValues<Path>())
                                best[path] = Math.Min(best[path], Time(model.Model, ids, k, path, decode) * 1000 / k);
                        double bare = best[Path.Bare], plain = best[Path.Refiner], withLogits = best[Path.RefinerWithLogits];
                        string setting = decode ? $"decode 1 token at position {context - 1} (cached)" : $"prefill {context} tokens (no cache)";
                        rows.Add(new Row(setting, k, Math.Round(bare, 3), Math.Round(plain, 3), Math.Round(withLogits, 3),
                            Math.Round(plain / bare, 3), Math.Round(withLogits / bare, 3)));
                        if (!json) Console.Out.WriteLine($"  {setting}, K = {k}: bare {bare:F3} ms/step, Refiner {plain:F3}, with logits {withLogits:F3}");
                    }
                return new Report(BenchModel.Describe(model), context, repeats, rows.ToArray());
            });
            if (json) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else Print(report);
            return 0;
        }));
        return command;
    }

    /// <summary>Model-thread CPU seconds of K steps along one path. Decode: the cache holds the first n − 1 tokens (built untimed).</summary>
    private static double Time(IsrmModel model, long[] ids, int k, Path path, bool decode)
    {
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        int n = ids.Length, offset = decode ? n - 1 : 0;
        using RefinementCache? cache = decode ? new RefinementCache(model.Config, 1, model.Device) : null;
        var options = new RefinementOptions { K = k, EveryStepLogits = path == Path.RefinerWithLogits };
        if (cache is not null)
            foreach (RefinementStep _ in Refiner.Run(model, model.Embed(tensor(ids[..offset], new long[] { 1, offset })), options with { EveryStepLogits = false }, cache, 0)) { }
        Tensor x = model.Embed(tensor(ids[offset..], new long[] { 1, n - offset }));   // (1, T, D)

        double start = ThreadCpuClock.Seconds();
        if (path == Path.Bare)
        {
            var (y0, z0) = model.InitialState(1, n - offset);
            Tensor y = y0, z = z0;
            x = model.Inject(x, cache, offset);   // what the engine re-injects (prelude / input norm), once per run as there
            for (int step = 1; step <= k; step++)
            {
                using var stepScope = NewDisposeScope();
                StepOutput output = model.Step(x, y, z, step, cache: cache, offset: offset);
                if (step == k) output.Y.sum().item<float>();   // wait for the last result as the engine's consumer does
                if (step > 1) { y.Dispose(); z.Dispose(); }   // free the previous state as the engine does
                y = output.Y.MoveToOuterDisposeScope();
                z = output.Z.MoveToOuterDisposeScope();
            }
        }
        else
        {
            foreach (RefinementStep step in Refiner.Run(model, x, options, cache, offset))
                if (step.IsLast) step.Y.sum().item<float>();
        }
        return ThreadCpuClock.Seconds() - start;
    }

    private static void Print(Report report)
    {
        AnsiConsole.WriteLine($"{report.Model} One TorchSharp thread; model-thread CPU time per refinement step, fastest of {report.Repeats} alternating runs per path.");
        var table = BenchCommands.FiguresTable("setting", "K", "bare Step ms/step", "Refiner ms/step", "Refiner + per-step logits ms/step", "Refiner / bare", "with logits / bare");
        foreach (Row r in report.Rows)
            table.AddRow(r.Setting, r.K.ToString(), $"{r.BareMsPerStep:F3}", $"{r.RefinerMsPerStep:F3}", $"{r.RefinerWithLogitsMsPerStep:F3}", $"{r.Ratio:F2}×", $"{r.RatioWithLogits:F2}×");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine("Bare = model.Step (input injection, network, α update) called K times on the same states; Refiner adds the per-step bookkeeping");
        AnsiConsole.WriteLine("(dispose scopes, delta/residual norms, halting head); \"with logits\" adds the LM head, log-softmax and KL each step, as generation does.");
    }
}
