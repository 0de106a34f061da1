using Isrm.Web.Options;
using Generator = Isrm.Model.Generation.Generator;

namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench hub-overhead</c>: the same generation (same checkpoint, request, one TorchSharp thread) once through the
/// SignalR hub on loopback, timed at the client, and once through <see cref="Generator"/> directly on a model thread in
/// this process. Per-step time of both and their ratio; goal: hub ≤ 1.1 × bare engine.
/// </summary>
internal static class HubOverheadBenchmark
{
    public const double Goal = 1.1;

    private sealed record Row(string Path, double TotalMs, double FirstStepMs, int Steps, double MsPerStep, double CpuMsPerStep);

    private sealed record Report(string Model, int K, int Tokens, int Repeats, Row[] Rows, double Ratio, bool GoalMet, double MedianRatio, double CpuRatio, bool CpuGoalMet);

    public static Command Create()
    {
        var checkpointOption = HubCheckpoint.Option();
        var loopsOption = BenchCommands.K(8, 256);
        var tokensOption = BenchCommands.Tokens(128, "Tokens generated per run");
        var repeatsOption = BenchCommands.Repeats(10, "Runs per path, alternating; the fastest counts (the machine may be shared)");
        var jsonOption = BenchCommands.JsonOption();
        var command = CliCommands.Create("hub-overhead", "Per-step time of a generation through the SignalR hub vs the Generator directly (goal ≤ 1.1×)",
            checkpointOption, loopsOption, tokensOption, repeatsOption, jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            int k = parse.GetValue(loopsOption), tokens = parse.GetValue(tokensOption), repeats = parse.GetValue(repeatsOption);
            bool json = parse.GetValue(jsonOption);
            var (checkpoint, description) = await HubCheckpoint.ResolveAsync(parse.GetValue(checkpointOption));
            if (!json) Console.Out.WriteLine(description);

            RefinementRequest dto = HubClientRun.Request(k, tokens);
            // The model request exactly as the hub builds it from the wire request.
            GenerationRequest request = RequestValidator.Validate(dto, new ModelServiceOptions(), out string error)
                ?? throw new InvalidOperationException(error);
            using var thread = new ModelThread("isrm-bench", 1);
            using LoadedCheckpoint model = await thread.RunAsync(() => Checkpoint.Load(checkpoint, torch.CPU));
            await using HubServerProcess server = await HubServerProcess.StartAsync(checkpoint, 4, cancellation);
            await using HubConnection connection = await server.ConnectAsync(cancellation);
            var timeout = TimeSpan.FromMinutes(5);

            // Warm-up of both paths (model load on the server, libtorch's first calls on both).
            await thread.RunAsync(() => Direct(model, request with { MaxTokens = 2 }));
            await HubClientRun.RunAsync(connection, HubClientRun.Request(k, 2), timeout);
            var direct = new List<Row>();
            var hub = new List<Row>();
            for (int i = 0; i < repeats; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                direct.Add(await thread.RunAsync(() => Direct(model, request)));
                double cpuBefore = server.ProcessCpuSeconds();
                HubClientRun run = await HubClientRun.RunAsync(connection, dto, timeout);
                double cpuMs = (server.ProcessCpuSeconds() - cpuBefore) * 1000;
                if (run.Outcome != HubOutcome.Completed) throw new InvalidOperationException($"hub generation {run.Outcome}: {run.Message} {server.Errors}");
                hub.Add(new Row("SignalR hub (loopback, client-timed)", run.TotalMs, run.FirstStepMs, run.Steps, run.TotalMs / run.Steps, cpuMs / run.Steps));
                if (!json) Console.Out.WriteLine($"  run {i + 1}: direct {direct[^1].MsPerStep:F3} ms/step ({direct[^1].CpuMsPerStep:F3} CPU), hub {hub[^1].MsPerStep:F3} ms/step ({hub[^1].CpuMsPerStep:F3} CPU)");
            }
            Row bestDirect = direct.MinBy(r => r.MsPerStep)!, bestHub = hub.MinBy(r => r.MsPerStep)!;
            double ratio = Math.Round(bestHub.MsPerStep / bestDirect.MsPerStep, 3);
            double median = Math.Round(HubClientRun.Percentile(hub.Select(r => r.MsPerStep), 0.5) / HubClientRun.Percentile(direct.Select(r => r.MsPerStep), 0.5), 3);
            double cpuRatio = Math.Round(hub.Min(r => r.CpuMsPerStep) / direct.Min(r => r.CpuMsPerStep), 3);
            var report = new Report(description, k, tokens, repeats,
                [Rounded(bestDirect with { CpuMsPerStep = direct.Min(r => r.CpuMsPerStep) }), Rounded(bestHub with { CpuMsPerStep = hub.Min(r => r.CpuMsPerStep) })],
                ratio, ratio <= Goal, median, cpuRatio, cpuRatio <= Goal);
            if (json) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.WithNaN));
            else Print(report);
            return 0;
        }));
        return command;
    }

    private static Row Rounded(Row r) => r with { TotalMs = Math.Round(r.TotalMs, 1), FirstStepMs = Math.Round(r.FirstStepMs, 1), MsPerStep = Math.Round(r.MsPerStep, 3), CpuMsPerStep = Math.Round(r.CpuMsPerStep, 3) };

    // Runs on the model thread: the whole generation, as RefinementService runs it minus the channel and the hub.
    private static Row Direct(LoadedCheckpoint model, GenerationRequest request)
    {
        var clock = Stopwatch.StartNew();
        double cpu = ThreadCpuClock.Seconds();
        double firstStep = double.NaN;
        int steps = 0;
        foreach (GenerationEvent e in Generator.Generate(model, request))
            if (e is StepEvent && steps++ == 0) firstStep = clock.Elapsed.TotalMilliseconds;
        double total = clock.Elapsed.TotalMilliseconds;
        return new Row("Generator directly (in process)", total, firstStep, steps, total / steps, (ThreadCpuClock.Seconds() - cpu) * 1000 / steps);
    }

    private static void Print(Report report)
    {
        AnsiConsole.WriteLine($"{report.Model} Greedy, K = {report.K}, {report.Tokens} tokens, one TorchSharp thread on each side; fastest of {report.Repeats} alternating runs per path.");
        var table = BenchCommands.FiguresTable("path", "total ms", "first step ms", "steps", "ms/step", "CPU ms/step");
        foreach (Row r in report.Rows)
            table.AddRow(r.Path, $"{r.TotalMs:F1}", $"{r.FirstStepMs:F1}", r.Steps.ToString(), $"{r.MsPerStep:F3}", $"{r.CpuMsPerStep:F3}");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"Hub / bare engine per step, wall time: {report.Ratio:F3}× (fastest runs; goal ≤ {Goal}×: {(report.GoalMet ? "met" : "not met")}); median of the runs {report.MedianRatio:F3}×.");
        AnsiConsole.WriteLine($"Hub / bare engine per step, CPU time: {report.CpuRatio:F3}× (fastest runs; goal ≤ {Goal}×: {(report.CpuGoalMet ? "met" : "not met")}).");
        AnsiConsole.WriteLine("CPU: the direct path's model-thread CPU time vs the whole server process's CPU time (every thread: model, Kestrel, SignalR; 10 ms ticks);");
        AnsiConsole.WriteLine("on a shared machine it is steadier than wall time, which other tenants' load moves by more than the 10 % measured here.");
        AnsiConsole.WriteLine("Hub time runs from the client's Generate call to the done frame (connection already open); the server is a separate process (isrm-bench hub-server).");
    }
}
