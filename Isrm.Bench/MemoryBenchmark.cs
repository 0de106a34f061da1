using Generator = Isrm.Model.Generation.Generator;

namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench memory</c>: peak resident memory of inference at K = 1 and K = 256, each measured in a fresh child
/// process (<c>bench memory-probe</c>) so that one run's peak cannot hide another's.
/// </summary>
internal static class MemoryBenchmark
{
    private sealed record Probe(string Mode, int K, int Context, long RssAfterLoadKb, long PeakKb, double Seconds);

    private sealed record Row(string Mode, int K, long RssAfterLoadMb, long PeakMb, long PeakOverLoadMb, double Seconds);

    private sealed record Report(string Model, int Context, Row[] Rows, Dictionary<string, double> PeakRatio);

    private static readonly string[] Modes = ["forward", "generate"];

    public static Command Create()
    {
        var checkpointOption = BenchModel.CheckpointOption();
        var contextOption = new Option<int>("--context") { Description = "Tokens of context", DefaultValueFactory = _ => 256 };
        var loopsOption = new Option<string>("--k", "--loops") { Description = "K values, comma-separated (the ratio compares the last with the first)", DefaultValueFactory = _ => "1,256" };
        var jsonOption = BenchCommands.JsonOption();
        var command = CliCommands.Create("memory", "Peak RSS of inference at K = 1 and K = 256 (fresh process each; goal: ratio ≤ 1.2)",
            checkpointOption, contextOption, loopsOption, jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            int[] loops = RefinementDepth.ParseFiniteList(parse.GetValue(loopsOption), 4096, "--k");
            int context = parse.GetValue(contextOption);
            if (context < 9) throw new ArgumentException($"--context must be at least 9 (got {context}).");
            string? checkpoint = parse.GetValue(checkpointOption);
            if (checkpoint is not null) Checkpoint.Inspect(checkpoint);
            if (!File.Exists("/proc/self/status")) throw new ArgumentException("isrm-bench memory reads /proc/self/status, which only Linux has.");
            bool json = parse.GetValue(jsonOption);
            var rows = new List<Row>();
            foreach (string mode in Modes)
                foreach (int k in loops)
                {
                    Probe probe = await RunProbe(mode, k, context, checkpoint, cancellation);
                    rows.Add(new Row(mode, k, probe.RssAfterLoadKb / 1024, probe.PeakKb / 1024, (probe.PeakKb - probe.RssAfterLoadKb) / 1024, Math.Round(probe.Seconds, 1)));
                    if (!json) Console.Out.WriteLine($"  {mode} K = {k}: peak {probe.PeakKb / 1024} MB");
                }
            var ratios = Modes.ToDictionary(m => m, m =>
            {
                Row[] r = rows.Where(x => x.Mode == m).ToArray();
                return Math.Round((double)r[^1].PeakMb / r[0].PeakMb, 3);
            });
            var report = new Report(checkpoint ?? BenchModel.RandomInitName, context, rows.ToArray(), ratios);
            if (json) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else Print(report, loops);
            return 0;
        }));
        return command;
    }

    /// <summary>The hidden child command: one inference run, then its memory figures as one JSON line.</summary>
    public static Command CreateProbe()
    {
        var checkpointOption = BenchModel.CheckpointOption();
        var modeOption = new Option<string>("--mode") { DefaultValueFactory = _ => "forward" };
        var loopsOption = new Option<int>("--k", "--loops") { DefaultValueFactory = _ => 1 };
        var contextOption = new Option<int>("--context") { DefaultValueFactory = _ => 256 };
        var command = CliCommands.Create("memory-probe", "One measured inference run (used by bench memory)", checkpointOption, modeOption, loopsOption, contextOption);
        command.Hidden = true;
        command.SetAction(parse =>
        {
            string mode = parse.GetValue(modeOption)!;
            int k = parse.GetValue(loopsOption), context = parse.GetValue(contextOption);
            using var thread = new ModelThread("isrm-memory", 1);
            Probe probe = thread.RunAsync(() => Measure(parse.GetValue(checkpointOption), mode, k, context)).GetAwaiter().GetResult();
            Console.Out.WriteLine(JsonOutput.Line(probe));
            return 0;
        });
        return command;
    }

    private static Probe Measure(string? checkpoint, string mode, int k, int context)
    {
        using LoadedCheckpoint model = BenchModel.Load(checkpoint);
        long afterLoad = Status("VmRSS");
        var clock = Stopwatch.StartNew();
        if (mode == "forward")
        {
            // One refinement of the whole context, reporting every step as generation does (per-step logits).
            using var inference = inference_mode();
            using var scope = NewDisposeScope();
            long[] ids = model.Tokenizer.Encode(BenchModel.Prompt(model.Tokenizer, context)).Select(t => (long)t).ToArray();
            Tensor x = model.Model.Embed(tensor(ids, new long[] { 1, ids.Length }));
            foreach (RefinementStep step in Refiner.Run(model.Model, x, new RefinementOptions { K = k}))
                _ = step.Step;
        }
        else
        {
            var request = new GenerationRequest
            {
                Prompt = BenchModel.Prompt(model.Tokenizer, context - 8), K = k, MaxTokens = 8, Temperature = 0,
            };
            foreach (GenerationEvent e in Generator.Generate(model, request)) _ = e.Kind;
        }
        return new Probe(mode, k, context, afterLoad, Status("VmHWM"), clock.Elapsed.TotalSeconds);
    }

    /// <summary>A kB figure from /proc/self/status (VmRSS: resident now; VmHWM: peak resident so far).</summary>
    private static long Status(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }

    private static async Task<Probe> RunProbe(string mode, int k, int context, string? checkpoint, CancellationToken cancellation)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Under `dotnet isrm.dll` the host is dotnet itself: hand it the assembly again.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(MemoryBenchmark).Assembly.Location);
        foreach (string a in new[] { "memory-probe", "--mode", mode, "--k", k.ToString(), "--context", context.ToString() })
            start.ArgumentList.Add(a);
        if (checkpoint is not null) { start.ArgumentList.Add("--checkpoint"); start.ArgumentList.Add(checkpoint); }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellation), errors = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"memory probe ({mode}, K = {k}) exited with {process.ExitCode}: {await errors}");
        string line = (await output).Trim().Split('\n')[^1];
        return JsonSerializer.Deserialize<Probe>(line, JsonOutput.Lines)!;
    }

    private static void Print(Report report, int[] loops)
    {
        AnsiConsole.WriteLine($"Model: {report.Model}; context {report.Context}; each row a fresh process; peak = VmHWM, after load = VmRSS.");
        var table = BenchCommands.FiguresTable("mode", "K", "RSS after load MB", "peak RSS MB", "peak − load MB", "seconds");
        foreach (Row r in report.Rows)
            table.AddRow(r.Mode, r.K.ToString(), r.RssAfterLoadMb.ToString(), r.PeakMb.ToString(), r.PeakOverLoadMb.ToString(), $"{r.Seconds:F1}");
        AnsiConsole.Write(table);
        foreach ((string mode, double ratio) in report.PeakRatio)
            AnsiConsole.WriteLine($"{mode}: peak at K = {loops[^1]} / peak at K = {loops[0]} = {ratio:F2} (goal ≤ 1.2: {(ratio <= 1.2 ? "met" : "not met")}).");
        AnsiConsole.WriteLine("forward = one refinement of the whole context; generate = cached generation of 8 tokens (its K/V cache holds one entry per step by design).");
    }
}
