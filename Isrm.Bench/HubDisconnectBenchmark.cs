namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench hub-disconnect</c>: a client starts a long generation, stops its connection once the first steps
/// arrive, and the benchmark watches the server's <c>StepsComputed</c> (and its model thread's CPU time) until they
/// stop moving: how many refinement steps the server computed after the disconnect and how long until it stopped.
/// </summary>
internal static class HubDisconnectBenchmark
{
    private sealed record Row(int Run, int StepsReceived, long ServerStepsAtDisconnect, long StepsAfterDisconnect,
        double MsUntilStopped, double ModelThreadCpuMsAfterDisconnect, double MsPerStepBefore);

    private sealed record Report(string Model, int K, int Tokens, int StopAfter, double SettleMs, Row[] Rows);

    public static Command Create()
    {
        var checkpointOption = HubCheckpoint.Option();
        var loopsOption = BenchCommands.K(256, 256, "K of the long generation");
        var tokensOption = BenchCommands.Tokens(64, "Tokens the long generation asks for");
        var afterOption = new Option<int>("--after") { Description = "Step frames received before the client stops its connection", DefaultValueFactory = _ => 3 };
        var repeatsOption = BenchCommands.Repeats(5, "Disconnects measured (a fresh connection each)");
        var jsonOption = BenchCommands.JsonOption();
        var command = CliCommands.Create("hub-disconnect", "Refinement steps the server computes after a client disconnects mid-generation, and how long until it stops",
            checkpointOption, loopsOption, tokensOption, afterOption, repeatsOption, jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            int k = parse.GetValue(loopsOption), tokens = parse.GetValue(tokensOption), after = parse.GetValue(afterOption), repeats = parse.GetValue(repeatsOption);
            if (after < 1 || after >= k * tokens) throw new ArgumentException($"--after must be from 1 to K × tokens − 1 (got {after}).");
            bool json = parse.GetValue(jsonOption);
            var (checkpoint, description) = await HubCheckpoint.ResolveAsync(parse.GetValue(checkpointOption));
            if (!json) Console.Out.WriteLine(description);

            await using HubServerProcess server = await HubServerProcess.StartAsync(checkpoint, 4, cancellation);
            await using (HubConnection warm = await server.ConnectAsync(cancellation))
                await HubClientRun.RunAsync(warm, HubClientRun.Request(2, 2), TimeSpan.FromMinutes(2));   // loads the model
            var rows = new List<Row>();
            for (int run = 1; run <= repeats; run++)
            {
                rows.Add(await Measure(server, run, k, tokens, after, cancellation));
                if (!json) Console.Out.WriteLine($"  run {run}: {rows[^1].StepsAfterDisconnect} steps after the disconnect, stopped after {rows[^1].MsUntilStopped:F0} ms");
            }
            var report = new Report(description, k, tokens, after, SettleMs, rows.ToArray());
            if (json) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.WithNaN));
            else Print(report);
            return 0;
        }));
        return command;
    }

    /// <summary>The count is called settled when it has not moved for this long.</summary>
    private const double SettleMs = 1000;

    private static async Task<Row> Measure(HubServerProcess server, int run, int k, int tokens, int after, CancellationToken cancellation)
    {
        HubConnection connection = await server.ConnectAsync(cancellation);
        var firstSteps = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int received = 0;
        double firstMs = 0, lastMs = 0;
        Task streaming = Task.Run(async () =>
        {
            try
            {
                await foreach (JsonElement frame in connection.StreamAsync<JsonElement>("Generate", HubClientRun.Request(k, tokens), cancellation))
                    if (frame.GetProperty("kind").GetString() == "step")
                    {
                        // the server's own clock (ms since the generation started): the frames may arrive in bursts
                        double elapsed = frame.GetProperty("elapsedMs").GetDouble();
                        if (received == 0) firstMs = elapsed;
                        lastMs = elapsed;
                        if (++received == after) firstSteps.TrySetResult();
                    }
                firstSteps.TrySetException(new InvalidOperationException("the generation finished before the disconnect"));
            }
            catch (Exception e) { firstSteps.TrySetException(e); }   // the disconnect ends the stream with an error: expected
        }, CancellationToken.None);
        await firstSteps.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellation);
        int receivedAtStop = received;
        double msPerStep = received > 1 ? (lastMs - firstMs) / (received - 1) : double.NaN;

        long atDisconnect = await server.StepsComputedAsync(cancellation);
        double cpuAtDisconnect = server.ModelThreadCpuSeconds();
        var sinceDisconnect = Stopwatch.StartNew();
        await connection.StopAsync(cancellation);
        await connection.DisposeAsync();
        await streaming;

        // Poll until the count has not moved for SettleMs; the stop time is the last change seen.
        long last = atDisconnect;
        double lastChange = 0;
        while (sinceDisconnect.Elapsed.TotalMilliseconds - lastChange < SettleMs)
        {
            await Task.Delay(5, cancellation);
            long now = await server.StepsComputedAsync(cancellation);
            if (now != last) { last = now; lastChange = sinceDisconnect.Elapsed.TotalMilliseconds; }
            if (sinceDisconnect.Elapsed > TimeSpan.FromMinutes(2)) throw new InvalidOperationException("the server kept computing for 2 minutes after the disconnect");
        }
        double cpuAfter = (server.ModelThreadCpuSeconds() - cpuAtDisconnect) * 1000;
        return new Row(run, receivedAtStop, atDisconnect, last - atDisconnect, Math.Round(lastChange, 1), Math.Round(cpuAfter, 0), Math.Round(msPerStep, 2));
    }

    private static void Print(Report report)
    {
        AnsiConsole.WriteLine($"{report.Model} Generation of {report.Tokens} tokens at K = {report.K} ({report.Tokens * report.K} steps if left to run); the client stops its connection after {report.StopAfter} step frames.");
        var table = BenchCommands.FiguresTable("run", "steps received", "server steps at disconnect", "steps computed after disconnect", "ms until stopped", "model-thread CPU ms after", "server ms/step before");
        foreach (Row r in report.Rows)
            table.AddRow(r.Run.ToString(), r.StepsReceived.ToString(), r.ServerStepsAtDisconnect.ToString(), r.StepsAfterDisconnect.ToString(),
                $"{r.MsUntilStopped:F0}", double.IsFinite(r.ModelThreadCpuMsAfterDisconnect) ? $"{r.ModelThreadCpuMsAfterDisconnect:F0}" : "–",
                double.IsFinite(r.MsPerStepBefore) ? $"{r.MsPerStepBefore:F2}" : "–");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine("Server steps = RefinementService.StepsComputed (cumulative since the server started; read at /bench/steps); \"at disconnect\" is read just before StopAsync.");
        AnsiConsole.WriteLine("StepsComputed counts steps the model service hands to the hub; the model thread streams them through a channel, so the count can trail");
        AnsiConsole.WriteLine("the computation by the frames still in flight: the model-thread CPU column is the computation itself.");
        AnsiConsole.WriteLine($"Stopped = the count's last change, once it has not moved for {report.SettleMs:F0} ms (0 = no step after the disconnect); model-thread CPU from /proc (10 ms ticks) over the same wait.");
    }
}
