using Generator = Isrm.Model.Generation.Generator;

namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench batch</c>: continuous batching in the engine alone, without the hub. N generations on one checkpoint,
/// once one after the other (each alone) and once together through one <see cref="StepScheduler"/> as the web app runs
/// them: aggregate refinement steps per second of both, their ratio, how many requests a
/// joined step held, and whether every request made the same tokens both ways.
/// </summary>
internal static class BatchBenchmark
{
    private sealed record Row(int Requests, bool Traced, double AloneStepsPerSecond, double TogetherStepsPerSecond, double Ratio,
        double ThreadsStepsPerSecond, double MeanRowsPerJoinedStep, long WidestStep, double JoinedShare, bool SameTokens);

    private sealed record Report(string Model, int K, int Tokens, int Threads, int Repeats, Row[] Rows);

    public static Command Create()
    {
        var checkpointOption = BenchModel.CheckpointOption();
        var requestsOption = new Option<string>("--requests") { Description = "Numbers of concurrent requests, comma-separated", DefaultValueFactory = _ => "1,8,32" };
        var kOption = BenchCommands.K(8, 256);
        var tokensOption = BenchCommands.Tokens(32, "Tokens each request generates");
        var repeatsOption = BenchCommands.Repeats(2, "Runs per way; the fastest counts", max: 20);
        var threadsOption = GenerationOptions.ThreadsOption();
        var jsonOption = BenchCommands.JsonOption();
        var command = CliCommands.Create("batch", "Aggregate steps/s of N generations alone vs refined together (continuous batching), in process, traced and untraced",
            checkpointOption, requestsOption, kOption, tokensOption, repeatsOption, threadsOption, jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(() =>
        {
            int[] counts = RefinementDepth.ParseFiniteList(parse.GetValue(requestsOption), 256, "--requests");
            int k = parse.GetValue(kOption), tokens = parse.GetValue(tokensOption), repeats = parse.GetValue(repeatsOption), threads = parse.GetValue(threadsOption);
            if (threads < 1) throw new ArgumentException($"--threads must be at least 1 (got {threads}).");
            string? checkpoint = parse.GetValue(checkpointOption);
            if (checkpoint is not null) Checkpoint.Inspect(checkpoint);
            bool json = parse.GetValue(jsonOption);
            torch.set_num_threads(threads);
            using LoadedCheckpoint model = BenchModel.Load(checkpoint);
            if (!json) Console.Out.WriteLine(BenchModel.Describe(model));
            var rows = new List<Row>();
            foreach (bool traced in new[] { true, false })
                foreach (int n in counts)
                {
                    cancellation.ThrowIfCancellationRequested();
                    GenerationRequest[] requests = Enumerable.Range(0, n).Select(i => new GenerationRequest
                    {
                        Prompt = BenchModel.Prompt(model.Tokenizer, 16 + 8 * (i % 4)), K = k, MaxTokens = tokens, Temperature = 0, Seed = (ulong)i + 1,
                        TraceSteps = traced,
                    }).ToArray();
                    Run(model, requests.Take(1).ToArray(), together: false, threads);   // warm-up: libtorch's first calls
                    var alone = Enumerable.Range(0, repeats).Select(_ => Run(model, requests, together: false, threads)).MaxBy(r => r.StepsPerSecond)!;
                    var joined = Enumerable.Range(0, repeats).Select(_ => Run(model, requests, together: true, threads)).MaxBy(r => r.StepsPerSecond)!;
                    var parallel = Enumerable.Range(0, repeats).Select(_ => Run(model, requests, together: true, threads, join: false)).MaxBy(r => r.StepsPerSecond)!;
                    rows.Add(new Row(n, traced, Math.Round(alone.StepsPerSecond, 1), Math.Round(joined.StepsPerSecond, 1),
                        Math.Round(joined.StepsPerSecond / alone.StepsPerSecond, 2), Math.Round(parallel.StepsPerSecond, 1), joined.MeanRows, joined.Widest, joined.JoinedShare,
                        alone.Tokens.Zip(joined.Tokens).All(p => p.First.SequenceEqual(p.Second))));
                    if (!json) Console.Out.WriteLine($"  {n} requests, {(traced ? "traced" : "untraced")}: alone {rows[^1].AloneStepsPerSecond:F0} steps/s, together {rows[^1].TogetherStepsPerSecond:F0} steps/s ({rows[^1].Ratio:F2}×)");
                }
            var report = new Report(model.Info.Name, k, tokens, threads, repeats, rows.ToArray());
            if (json) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else Print(report);
            return Task.FromResult(rows.All(r => r.SameTokens) ? 0 : 2);
        }));
        return command;
    }

    private sealed record Outcome(double StepsPerSecond, double MeanRows, long Widest, double JoinedShare, int[][] Tokens);

    // Alone: the requests one after the other on one thread. Together: all at once through one scheduler on this thread
    // (join), or each on a thread of its own refining by itself (the threads compete for the cores).
    private static Outcome Run(LoadedCheckpoint model, GenerationRequest[] requests, bool together, int torchThreads, bool join = true)
    {
        var tokens = new int[requests.Length][];
        long steps = 0;
        using var scheduler = new StepScheduler(model.Model, slots: requests.Length);
        IEnumerable<bool> Generate(int i, IStepNetwork? network)
        {
            var ids = new List<int>();
            foreach (GenerationEvent e in Generator.Generate(model, requests[i], default, network))
            {
                if (e is TokenEvent t) { ids.Add(t.TokenId); Interlocked.Add(ref steps, t.StepsUsed); }
                yield return e is StepWaitEvent;
            }
            tokens[i] = [.. ids];
        }
        var clock = Stopwatch.StartNew();
        if (!together)
            for (int i = 0; i < requests.Length; i++) foreach (bool _ in Generate(i, null)) { }
        else if (join)
        {
            for (int i = 0; i < requests.Length; i++) scheduler.Add(Generate(i, scheduler.Network), fault => { if (fault is not null) throw fault; });
            scheduler.RunAll();
        }
        else
        {
            using var start = new Barrier(requests.Length);
            Thread[] threads = requests.Select((r, i) => new Thread(() =>
            {
                torch.set_num_threads(torchThreads);
                start.SignalAndWait();
                foreach (bool _ in Generate(i, null)) { }
            })).ToArray();
            foreach (Thread t in threads) t.Start();
            foreach (Thread t in threads) t.Join();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var (batches, rows, widest) = scheduler.Counts;
        return new Outcome(steps / seconds, batches == 0 ? double.NaN : Math.Round(rows / (double)batches, 2), widest,
            Math.Round(scheduler.JoinedSeconds / seconds, 2), tokens);
    }

    private static void Print(Report report)
    {
        AnsiConsole.WriteLine($"{report.Model}: K = {report.K}, {report.Tokens} tokens per request, greedy, {report.Threads} libtorch thread(s), fastest of {report.Repeats} runs per way.");
        var table = BenchCommands.FiguresTable("requests", "per-step frames", "alone steps/s", "together steps/s", "together ÷ alone", "threads, not joined, steps/s", "requests per joined step (mean / most)", "wall in joined steps", "same tokens");
        foreach (Row r in report.Rows)
            table.AddRow(r.Requests.ToString(), r.Traced ? "yes" : "no", r.AloneStepsPerSecond.ToString("F0"), r.TogetherStepsPerSecond.ToString("F0"),
                $"{r.Ratio:F2}×", r.ThreadsStepsPerSecond.ToString("F0"), $"{(double.IsFinite(r.MeanRowsPerJoinedStep) ? r.MeanRowsPerJoinedStep.ToString("F1") : "–")} / {r.WidestStep}",
                $"{r.JoinedShare:P0}", r.SameTokens ? "yes" : "NO");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine("Alone = the requests one after another; together = all at once, advanced in turn on one thread by one StepScheduler, their steps joined (as the web app's worker runs them).");
        AnsiConsole.WriteLine("Threads, not joined = the same threads each refining by itself, competing for the cores (what batching is measured against besides running alone).");
        AnsiConsole.WriteLine("Wall in joined steps = the share of the together run spent computing joined steps; the rest is each request's own work between its steps.");
        AnsiConsole.WriteLine("Per-step frames = the chat's read-outs of every step (top tokens, entropy, norms); without them only each token's last step is read.");
    }
}
