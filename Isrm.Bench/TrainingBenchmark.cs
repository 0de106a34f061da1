using Isrm.Model.Training;

namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench train</c>: training throughput of the default recipe's model (tokens/s and achieved FLOP/s by the
/// trainer's own FLOP count) next to a measured float32 matmul FLOP/s on the same thread: the model FLOP utilisation.
/// </summary>
internal static class TrainingBenchmark
{
    private sealed record Row(string Setting, string Precision, double TokensPerSec, double FlopsPerSec, double Mfu);

    /// <summary>MFU is against the float32 matmul rate for both precisions (what bf16 gains shows as MFU above fp32's).</summary>
    private sealed record Report(double MatmulFlopsPerSec, double BFloat16MatmulFlopsPerSec, bool BFloat16Usable, string BFloat16Note,
        int Width, int Batch, int Context, int Steps, Row[] Rows);

    public static Command Create()
    {
        var stepsOption = new Option<int>("--steps") { Description = "Timed optimizer steps per setting", DefaultValueFactory = _ => 6 };
        var jsonOption = BenchCommands.JsonOption();
        var command = CliCommands.Create("train", "Training tokens/s and FLOP/s of the default model against measured matmul FLOP/s (MFU)", stepsOption, jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            int steps = parse.GetValue(stepsOption);
            if (steps is < 1 or > 1000) throw new ArgumentException($"--steps must be between 1 and 1000 (got {steps}).");
            using var thread = new ModelThread("isrm-bench", 1);
            Report report = await thread.RunAsync(() => Measure(steps));
            if (parse.GetValue(jsonOption)) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else Print(report);
            return 0;
        }));
        return command;
    }

    private static Report Measure(int steps)
    {
        const int batch = 16, context = 128, width = 144;
        double matmul = MatmulFlopsPerSecond(ScalarType.Float32), bf16Matmul = MatmulFlopsPerSecond(ScalarType.BFloat16);
        var (usable, note) = MixedPrecision.ProbeBFloat16();
        var rows = new List<Row>();
        foreach (var (name, family, k, backprop) in new[] { ("transformer, K = 1", ModelFamily.Transformer, 1, 0), ("isrm, K = 8, backprop 4", ModelFamily.Isrm, 8, 4) })
        foreach (bool bf16 in new[] { false, true })
        {
            var config = new IsrmConfig { Family = family, Width = width, MaxContext = context, InputInjection = InjectionKind.ConcatProject, StateNorm = true, StepEmbedding = StepEmbeddingKind.None, AlphaSchedule = AlphaScheduleKind.Constant };
            manual_seed(1);
            using var model = new IsrmModel(config);
            model.train();
            using var optimizer = optim.AdamW(model.parameters(), lr: 1e-3, weight_decay: 0.1);
            var counter = new FlopCounter(model, context);
            double flops = 0;
            var clock = new Stopwatch();
            for (int step = -1; step < steps; step++)   // step −1 warms up and is not timed
            {
                if (step == 0) clock.Start();
                using var scope = NewDisposeScope();
                Tensor tokens = randint(0, config.VocabSize, new long[] { batch, context + 1 });
                Tensor inputs = tokens.narrow(1, 0, context), targets = tokens.narrow(1, 1, context).reshape(-1);
                optimizer.zero_grad();
                var options = new RefinementOptions { K = k, EveryStepLogits = false, GradientSteps = backprop > 0 ? backprop : k };
                Tensor? loss = null;
                using (bf16 ? MixedPrecision.Enable() : null)
                    foreach (RefinementStep s in Refiner.Run(model, model.Embed(inputs), options with { StepNorms = false, StepHalt = false }))
                        if (s.IsLast) loss = nn.functional.nll_loss(s.LogProbs!.reshape(-1, config.VocabSize), targets);
                loss!.backward();
                nn.utils.clip_grad_norm_(model.parameters(), 1.0);
                optimizer.step();
                if (step >= 0) flops += counter.Training((long)batch * context, k, backprop > 0 ? backprop : k, 1);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            rows.Add(new Row(name, bf16 ? "bf16" : "fp32", (double)batch * context * steps / seconds, flops / seconds, flops / seconds / matmul));
        }
        return new Report(matmul, bf16Matmul, usable, note, width, batch, context, steps, rows.ToArray());
    }

    // The machine's achievable dense rate on this thread: a 1024×1024 matmul repeated.
    private static double MatmulFlopsPerSecond(ScalarType type)
    {
        using var scope = NewDisposeScope();
        Tensor a = randn(1024, 1024).to(type), b = randn(1024, 1024).to(type);
        for (int i = 0; i < 3; i++) a.matmul(b).Dispose();
        int repeats = 10;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++) a.matmul(b).Dispose();
        return 2.0 * 1024 * 1024 * 1024 * repeats / clock.Elapsed.TotalSeconds;
    }

    private static void Print(Report report)
    {
        AnsiConsole.WriteLine($"matmul 1024×1024, 1 thread: float32 {report.MatmulFlopsPerSec / 1e9:F1} GFLOP/s, bfloat16 {report.BFloat16MatmulFlopsPerSec / 1e9:F1} GFLOP/s");
        AnsiConsole.WriteLine($"bf16 probe (the trainer's --precision auto): {(report.BFloat16Usable ? "usable" : "not used")}: {report.BFloat16Note}.");
        var table = new Table().AddColumns("setting", "precision", "tokens/s", "GFLOP/s", "MFU (vs fp32 matmul)");
        foreach (Row r in report.Rows) table.AddRow(r.Setting, r.Precision, $"{r.TokensPerSec:N0}", $"{r.FlopsPerSec / 1e9:F1}", $"{r.Mfu:P0}");
        AnsiConsole.Write(table);
        foreach (string setting in report.Rows.Select(r => r.Setting).Distinct())
        {
            Row fp32 = report.Rows.First(r => r.Setting == setting && r.Precision == "fp32"), bf16 = report.Rows.First(r => r.Setting == setting && r.Precision == "bf16");
            AnsiConsole.WriteLine($"{setting}: bf16 / fp32 tokens/s = {bf16.TokensPerSec / fp32.TokensPerSec:F2}× (goal ≥ 1.3×).");
        }
        AnsiConsole.WriteLine($"width {report.Width}, batch {report.Batch} × {report.Context} tokens, {report.Steps} timed AdamW steps each; goal MFU ≥ 30 %.");
    }
}
