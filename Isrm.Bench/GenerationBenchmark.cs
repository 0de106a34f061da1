using Generator = Isrm.Model.Generation.Generator;

namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench generate</c>: decode speed of the cached path against full recompute at a given context and K, the
/// largest logit difference between the two (they must agree: the cache is exact, not an approximation), and each
/// cached refinement step against its floor — the step's weight matrix–vector products timed alone
/// (<see cref="DecodeFloor"/>). Generation runs as plain <c>generate</c> does: no per-step read-outs, a fixed seed.
/// </summary>
internal static class GenerationBenchmark
{
    /// <summary>Speeds are decode tokens per second of wall time and per second of the model thread's CPU time.</summary>
    /// <summary>
    /// StepMicroseconds: cached decode CPU time per token ÷ K (the model thread's, fastest run); FloorRatio: that over the floor.
    /// TensorsPerStep: tensors created per token ÷ K in the cached decode (TorchSharp's dispose-scope statistics).
    /// </summary>
    private sealed record Row(int K, double CachedTokensPerSecond, double RecomputeTokensPerSecond, double SpeedUp,
        double CachedTokensPerCpuSecond, double RecomputeTokensPerCpuSecond, double CpuSpeedUp,
        double CachedPrefillMs, double StepMicroseconds, double? FloorRatio, double TensorsPerStep, float MaxLogitDifference, bool SameTokens);

    private sealed record Timing(double TokensPerSecond, double TokensPerCpuSecond, double PrefillMs, double TensorsPerToken, int[] Ids);

    private sealed record Report(string Model, long Parameters, int Context, int DecodedTokens, int Threads, int Repeats, ulong Seed,
        int? FloorProducts, double? FloorMicroseconds, Row[] Rows);

    private const ulong Seed = 1;

    public static Command Create()
    {
        var checkpointOption = BenchModel.CheckpointOption();
        var contextOption = new Option<int>("--context") { Description = "Context length reached at the last generated token", DefaultValueFactory = _ => 256 };
        var loopsOption = new Option<string>("--k", "--loops") { Description = "K values, comma-separated", DefaultValueFactory = _ => "1,8,32" };
        var tokensOption = BenchCommands.Tokens(16, "Tokens generated per run (speed is measured over all but the first; at least 2)", max: 1_000_000);
        var repeatsOption = BenchCommands.Repeats(2, "Runs per path and K; the fastest counts (the machine may be shared)");
        var threadsOption = GenerationOptions.ThreadsOption();
        var jsonOption = BenchCommands.JsonOption();
        var command = CliCommands.Create("generate", "Tokens/s of cached generation vs full recompute at context 256 and K = 1, 8, 32, and their max logit difference",
            checkpointOption, contextOption, loopsOption, tokensOption, repeatsOption, threadsOption, jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            int[] loops = RefinementDepth.ParseFiniteList(parse.GetValue(loopsOption), 4096, "--k");
            int context = parse.GetValue(contextOption), tokens = parse.GetValue(tokensOption), threads = parse.GetValue(threadsOption);
            if (tokens < 2) throw new ArgumentException($"--tokens must be at least 2 to time decoding (got {tokens}).");
            if (context <= tokens) throw new ArgumentException($"--context must exceed --tokens ({tokens}) (got {context}).");
            int repeats = parse.GetValue(repeatsOption);
            if (threads < 1) throw new ArgumentException($"--threads must be at least 1 (got {threads}).");
            string? checkpoint = parse.GetValue(checkpointOption);
            if (checkpoint is not null) Checkpoint.Inspect(checkpoint);
            bool json = parse.GetValue(jsonOption);

            using var thread = new ModelThread("isrm-bench", threads);
            Report report = await thread.RunAsync(() =>
            {
                using LoadedCheckpoint model = BenchModel.Load(checkpoint);
                if (context > model.Model.Config.MaxContext)
                    throw new ArgumentException($"--context {context} exceeds the model's maximum context of {model.Model.Config.MaxContext}.");
                if (!json) Console.Out.WriteLine(BenchModel.Describe(model));
                // Warm-up: the first calls pay for libtorch's lazy initialisation, which is not what is measured.
                Run(model, new GenerationRequest { Prompt = BenchModel.Prompt(model.Tokenizer, 32), K = 2, MaxTokens = 3, Temperature = 0, TraceSteps = false });
                DecodeFloor.Floor? floor = DecodeFloor.Measure(model.Model);
                if (!json && floor is not null) Console.Out.WriteLine($"  floor: {floor.Products} matrix–vector products per step, {floor.MicrosecondsPerStep:F0} µs alone");
                var rows = new List<Row>();
                foreach (int k in loops)
                {
                    cancellation.ThrowIfCancellationRequested();
                    rows.Add(Measure(model, context, tokens, k, repeats, floor));
                    if (!json) Console.Out.WriteLine($"  K = {k}: cached {rows[^1].CachedTokensPerSecond:F1} tokens/s, recompute {rows[^1].RecomputeTokensPerSecond:F2} tokens/s (wall)");
                }
                return new Report(model.Info.Name, model.Info.ParameterCount, context, tokens - 1, threads, repeats, Seed,
                    floor?.Products, floor is null ? null : Math.Round(floor.MicrosecondsPerStep, 1), rows.ToArray());
            });
            if (json) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else Print(report);
            return 0;
        }));
        return command;
    }

    private static Row Measure(LoadedCheckpoint checkpoint, int context, int tokens, int k, int repeats, DecodeFloor.Floor? floor)
    {
        string prompt = BenchModel.Prompt(checkpoint.Tokenizer, context - tokens);
        var request = new GenerationRequest { Prompt = prompt, K = k, MaxTokens = tokens, Temperature = 0, ReportTopTokens = 1, Seed = Seed, TraceSteps = false };
        Timing cached = Fastest(checkpoint, request, repeats), recompute = Fastest(checkpoint, request with { UseCache = false }, repeats);
        long[] sequence = checkpoint.Tokenizer.Encode(prompt).Concat(cached.Ids[..^1]).Select(t => (long)t).ToArray();
        float difference = MaxLogitDifference(checkpoint.Model, sequence, sequence.Length - (tokens - 1), k);
        int steps = checkpoint.Model.Config.IsSinglePass ? 1 : k;
        double stepMicroseconds = 1e6 / cached.TokensPerCpuSecond / steps;
        return new Row(k, Math.Round(cached.TokensPerSecond, 2), Math.Round(recompute.TokensPerSecond, 3),
            Math.Round(cached.TokensPerSecond / recompute.TokensPerSecond, 1),
            Math.Round(cached.TokensPerCpuSecond, 2), Math.Round(recompute.TokensPerCpuSecond, 3),
            Math.Round(cached.TokensPerCpuSecond / recompute.TokensPerCpuSecond, 1),
            Math.Round(cached.PrefillMs, 1), Math.Round(stepMicroseconds, 1),
            floor is null ? null : Math.Round(stepMicroseconds / floor.MicrosecondsPerStep, 2),
            Math.Round(cached.TensorsPerToken / steps, 1), difference, cached.Ids.SequenceEqual(recompute.Ids));
    }

    private static Timing Fastest(LoadedCheckpoint checkpoint, GenerationRequest request, int repeats)
    {
        Timing[] runs = Enumerable.Range(0, repeats).Select(_ => Run(checkpoint, request)).ToArray();
        return new Timing(runs.Max(r => r.TokensPerSecond), runs.Max(r => r.TokensPerCpuSecond), runs.Min(r => r.PrefillMs), runs[0].TensorsPerToken, runs[0].Ids);
    }

    private static long TensorsCreated() =>
        DisposeScopeManager.Statistics.CreatedInScopeCount + DisposeScopeManager.Statistics.CreatedOutsideScopeCount;

    // Decode speed: tokens after the first, over the time between the first and the last token (the prompt's prefill excluded).
    private static Timing Run(LoadedCheckpoint checkpoint, GenerationRequest request)
    {
        var clock = Stopwatch.StartNew();
        var times = new List<(double Wall, double Cpu, long Tensors)>();
        var ids = new List<int>();
        foreach (GenerationEvent e in Generator.Generate(checkpoint, request))
            if (e is TokenEvent token)
            {
                times.Add((clock.Elapsed.TotalSeconds, ThreadCpuClock.Seconds(), TensorsCreated()));
                ids.Add(token.TokenId);
            }
        int decoded = times.Count - 1;
        return new Timing(decoded / (times[^1].Wall - times[0].Wall), decoded / (times[^1].Cpu - times[0].Cpu), times[0].Wall * 1000,
            (double)(times[^1].Tensors - times[0].Tensors) / decoded, ids.ToArray());
    }

    /// <summary>Logits of positions promptLength… computed token by token through the cache vs one full forward.</summary>
    private static float MaxLogitDifference(IsrmModel model, long[] ids, int promptLength, int k)
    {
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var options = new RefinementOptions { K = k, EveryStepLogits = false, StepNorms = false, StepHalt = false, Seed = Seed };
        using var cache = new RefinementCache(model.Config, 1, model.Device);
        return CacheAgreement.MaxDifferenceFromFullPass(model, ids, promptLength, options, cache, steps => CacheAgreement.FinalLogits(model, steps));
    }

    private static void Print(Report report)
    {
        AnsiConsole.WriteLine($"Context {report.Context}, {report.DecodedTokens} decoded tokens timed per run, {report.Threads} thread(s), greedy, seed {report.Seed}, no per-step read-outs, fastest of {report.Repeats} runs per path.");
        var table = BenchCommands.FiguresTable("K", "cached tok/s", "recompute tok/s", "speed-up", "cached tok/CPU-s", "recompute tok/CPU-s", "CPU speed-up", "cached prefill ms", "CPU µs/step", "× floor", "tensors/step", "max |Δ logit|", "same tokens");
        foreach (Row r in report.Rows)
            table.AddRow(r.K.ToString(), $"{r.CachedTokensPerSecond:F1}", $"{r.RecomputeTokensPerSecond:F2}", $"{r.SpeedUp:F1}×",
                $"{r.CachedTokensPerCpuSecond:F1}", $"{r.RecomputeTokensPerCpuSecond:F2}", $"{r.CpuSpeedUp:F1}×",
                $"{r.CachedPrefillMs:F0}", $"{r.StepMicroseconds:F0}", r.FloorRatio is double f ? $"{f:F1}×" : "—", $"{r.TensorsPerStep:F0}",
                $"{r.MaxLogitDifference:E1}", r.SameTokens ? "yes" : "NO");
        AnsiConsole.Write(table);
        if (report.FloorMicroseconds is double floor)
            AnsiConsole.WriteLine($"Floor: the step's {report.FloorProducts} weight matrix–vector products timed alone, {floor:F0} µs of CPU; CPU µs/step = cached decode CPU time per token ÷ K, tensors/step likewise.");
        if (report.Rows.FirstOrDefault(r => r.K == 8) is { FloorRatio: double ratio })
            AnsiConsole.WriteLine($"A K = 8 step is {ratio:F1}× its floor (goal ≤ 2×: {(ratio <= 2 ? "met" : "not met")}).");
        AnsiConsole.WriteLine(ThreadCpuClock.IsThreadTime
            ? "tok/CPU-s counts the model thread's CPU time (robust when other processes share the cores)."
            : "tok/CPU-s falls back to wall time on this OS.");
        if (report.Rows.FirstOrDefault(r => r.K == 8) is { } eight)
            AnsiConsole.WriteLine($"Cached vs recompute at K = 8: {eight.SpeedUp:F1}× wall, {eight.CpuSpeedUp:F1}× CPU (goal ≥ 10×: {(Math.Min(eight.SpeedUp, eight.CpuSpeedUp) >= 10 ? "met" : "not met")}).");
    }
}
