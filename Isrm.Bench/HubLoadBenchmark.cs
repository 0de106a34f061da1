namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench hub</c>: N concurrent SignalR clients on loopback each generate with K steps per token against one
/// server process. Every client must complete or be told "busy" (an error or a hang past the timeout fails the
/// benchmark); the server's resident memory is sampled throughout. Runs once per queue capacity (default 4, the web
/// app's setting, then 32 so that every client is admitted).
/// </summary>
internal static class HubLoadBenchmark
{
    private sealed record Client(int Index, string Outcome, double FirstStepMs, double TotalMs, int Steps, double StepsPerSecond, string? Message);

    private sealed record Variant(
        int QueueCapacity, int Batch, double MeanRowsPerJoinedStep, long WidestStep, int Clients, int Completed, int Busy, int Errors, int Hangs,
        double FirstStepP50Ms, double FirstStepP95Ms, double AggregateStepsPerSecond,
        double ClientStepsPerSecondMin, double ClientStepsPerSecondMedian, double ClientStepsPerSecondMax, double WallSeconds,
        long RssBeforeMb, long RssPeakSampledMb, long RssAfterMb, long PeakRssBeforeMb, long PeakRssAfterMb, int RssSamples,
        Client[] PerClient)
    {
        /// <summary>CPU of the server process over the measured run, per step frame received (ms).</summary>
        public double ServerCpuMsPerStep { get; init; } = double.NaN;
        /// <summary>Of that, the model's thread (every request's refinement, read-outs and frames); the rest is the hub's.</summary>
        public double ModelCpuMsPerStep { get; init; } = double.NaN;
        /// <summary>CPU of this process — the clients — over the measured run, per step frame received (ms).</summary>
        public double ClientCpuMsPerStep { get; init; } = double.NaN;
        /// <summary>Server and client CPU over the measured run ÷ its wall time: the cores the run kept busy.</summary>
        public double CoresBusy { get; init; } = double.NaN;
    }

    /// <summary>Server memory around many requests one after another: a leak per request shows as growth.</summary>
    private sealed record Soak(int Requests, int Completed, long RssBeforeMb, long RssAfterMb, long PeakRssAfterMb, double Seconds);

    /// <summary>
    /// Aggregate steps/s of the many clients against one client alone, on fresh servers with the largest queue, repeated:
    /// each repeat's ratio, their median and range.
    /// </summary>
    private sealed record Scaling(int Clients, int Repeats, double[] OneClientStepsPerSecond, double[] ManyClientsStepsPerSecond, double[] Ratios,
        double MedianRatio, double MinRatio, double MaxRatio, double[] ManyFirstStepP95Ms);

    private sealed record Report(string Model, int K, int Tokens, int Batch, double TimeoutSeconds, Variant[] Variants, Soak? Soak = null, Scaling? Scaling = null, int WarmupRounds = 0);

    public static Command Create()
    {
        var checkpointOption = HubCheckpoint.Option();
        var clientsOption = new Option<int>("--clients") { Description = "Concurrent SignalR clients", DefaultValueFactory = _ => 32 };
        var loopsOption = new Option<int>("--k", "--loops") { Description = "K, refinement steps per token", DefaultValueFactory = _ => 8 };
        var tokensOption = new Option<int>("--tokens") { Description = "Tokens each client generates", DefaultValueFactory = _ => 32 };
        var queuesOption = new Option<string>("--queues") { Description = "Server queue capacities to run, comma-separated (one fresh server each)", DefaultValueFactory = _ => "4,32" };
        var timeoutOption = new Option<double>("--timeout") { Description = "Seconds a client may take before it counts as a hang", DefaultValueFactory = _ => 300 };
        var quickOption = new Option<bool>("--quick") { Description = "4 clients, K = 2, 3 tokens, queues 1 and 4 (a smoke test)" };
        var jsonOption = BenchCommands.JsonOption();
        var batchOption = new Option<int>("--batch") { Description = "Isrm:Model:MaxBatch of the server: requests refined together per checkpoint (1 = one at a time) [1…256]", DefaultValueFactory = _ => 32 };
        var repeatsOption = new Option<int>("--repeats") { Description = "Then this many pairs of runs, one client alone and all clients, for the ratio of their aggregate steps/s with its median and range (0 = none) [0…20]", DefaultValueFactory = _ => 3 };
        var warmupOption = new Option<int>("--warmup") { Description = "Unmeasured rounds of the same load (every client, the same tokens) on each fresh server before its measured run, so that the server's JIT has compiled what the load runs (0 = one 2-token generation only) [0…10]", DefaultValueFactory = _ => 1 };
        var soakOption = new Option<int>("--soak") { Description = "Then this many requests one after another (K as given, 2 tokens) on a fresh server, with its RSS before and after (0 = none) [0…100,000]", DefaultValueFactory = _ => 1000 };
        var command = CliCommands.Create("hub", "32 concurrent SignalR clients at K = 8: completed vs busy, p50/p95 time to first step, steps/s, server RSS",
            checkpointOption, clientsOption, loopsOption, tokensOption, queuesOption, timeoutOption, quickOption, jsonOption, soakOption, repeatsOption, batchOption, warmupOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            bool quick = parse.GetValue(quickOption), json = parse.GetValue(jsonOption);
            int clients = quick ? 4 : parse.GetValue(clientsOption), k = quick ? 2 : parse.GetValue(loopsOption), tokens = quick ? 3 : parse.GetValue(tokensOption);
            int[] queues = Queues(quick ? "1,4" : parse.GetValue(queuesOption)!);
            double timeout = parse.GetValue(timeoutOption);
            int soak = quick ? 20 : parse.GetValue(soakOption);
            int repeats = quick ? 1 : parse.GetValue(repeatsOption);
            int batch = parse.GetValue(batchOption);
            int warmup = quick ? 0 : parse.GetValue(warmupOption);
            if (warmup is < 0 or > 10) throw new ArgumentException($"--warmup must be from 0 to 10 (got {warmup}).");
            if (batch is < 1 or > 256) throw new ArgumentException($"--batch must be from 1 to 256 (got {batch}).");
            if (repeats is < 0 or > 20) throw new ArgumentException($"--repeats must be from 0 to 20 (got {repeats}).");
            if (soak is < 0 or > 100_000) throw new ArgumentException($"--soak must be from 0 to 100,000 (got {soak}).");
            if (clients is < 1 or > 256) throw new ArgumentException($"--clients must be from 1 to 256 (got {clients}).");
            if (k is < 1 or > 256) throw new ArgumentException($"--loops must be from 1 to 256 (got {k}).");
            if (tokens is < 1 or > 512) throw new ArgumentException($"--tokens must be from 1 to 512 (got {tokens}).");
            if (!(timeout > 0)) throw new ArgumentException($"--timeout must be positive (got {timeout}).");
            if (!File.Exists("/proc/self/status")) throw new ArgumentException("isrm-bench hub reads /proc/<pid>/status, which only Linux has.");
            var (checkpoint, description) = await HubCheckpoint.ResolveAsync(parse.GetValue(checkpointOption));
            if (!json) Console.Out.WriteLine(description);

            var variants = new List<Variant>();
            foreach (int queue in queues)
            {
                variants.Add(await RunVariant(checkpoint, queue, batch, clients, k, tokens, warmup, TimeSpan.FromSeconds(timeout), cancellation));
                if (!json) Console.Out.WriteLine($"  queue {queue}: {variants[^1].Completed} completed, {variants[^1].Busy} busy, {variants[^1].Errors} errors, {variants[^1].Hangs} hangs");
            }
            Scaling? scaling = null;
            if (repeats > 0)
            {
                var one = new List<Variant>();
                var many = new List<Variant>();
                for (int r = 0; r < repeats; r++)
                {
                    one.Add(await RunVariant(checkpoint, queues.Max(), batch, 1, k, tokens, warmup, TimeSpan.FromSeconds(timeout), cancellation));
                    many.Add(await RunVariant(checkpoint, queues.Max(), batch, clients, k, tokens, warmup, TimeSpan.FromSeconds(timeout), cancellation));
                    if (!json) Console.Out.WriteLine($"  repeat {r + 1}: one client {one[^1].AggregateStepsPerSecond:F1} steps/s ({one[^1].ServerCpuMsPerStep:F3} server CPU ms per step), {clients} clients {many[^1].AggregateStepsPerSecond:F1} steps/s ({many[^1].ServerCpuMsPerStep:F3} server CPU ms per step, {many[^1].ModelCpuMsPerStep:F3} of them the model thread's, + {many[^1].ClientCpuMsPerStep:F3} client; {many[^1].CoresBusy:F2} cores busy)");
                }
                double[] ratios = one.Zip(many, (o, m) => Math.Round(m.AggregateStepsPerSecond / o.AggregateStepsPerSecond, 2)).ToArray();
                scaling = new Scaling(clients, repeats, one.Select(v => v.AggregateStepsPerSecond).ToArray(), many.Select(v => v.AggregateStepsPerSecond).ToArray(),
                    ratios, HubClientRun.Percentile(ratios, 0.5), ratios.Min(), ratios.Max(), many.Select(v => v.FirstStepP95Ms).ToArray());
            }
            Soak? soaked = soak == 0 ? null : await RunSoak(checkpoint, soak, k, TimeSpan.FromSeconds(timeout), cancellation);
            if (!json && soaked is not null) Console.Out.WriteLine($"  soak: {soaked.Completed} of {soaked.Requests} requests completed");
            var report = new Report(description, k, tokens, batch, timeout, variants.ToArray(), soaked, scaling, warmup);
            if (json) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.WithNaN));
            else Print(report);
            return variants.Any(v => v.Errors + v.Hangs > 0) || soaked is { } s && s.Completed < s.Requests ? 2 : 0;
        }));
        return command;
    }

    private static int[] Queues(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int[] values = parts.Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int q) ? q : -1).ToArray();
        if (values.Length == 0 || values.Any(q => q < 0))
            throw new ArgumentException($"--queues takes whole numbers ≥ 0 separated by commas, such as 4,32 (got '{text}').");
        return values;
    }

    private static async Task<Variant> RunVariant(string checkpoint, int queue, int batch, int clients, int k, int tokens, int warmup, TimeSpan timeout, CancellationToken cancellation)
    {
        await using HubServerProcess server = await HubServerProcess.StartAsync(checkpoint, queue, cancellation, batch);
        var connections = new List<HubConnection>();
        try
        {
            connections.AddRange(await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => server.ConnectAsync(cancellation))));
            // Warm-up: loads the checkpoint and pays libtorch's first-call costs, which is not what is measured.
            HubClientRun warm = await HubClientRun.RunAsync(connections[0], HubClientRun.Request(k, 2), timeout);
            if (warm.Outcome != HubOutcome.Completed) throw new InvalidOperationException($"warm-up generation failed: {warm.Message} {server.Errors}");
            // Then the load itself, unmeasured: a fresh .NET server spends its first seconds compiling the code it runs.
            for (int round = 0; round < warmup; round++)
                foreach (HubClientRun run in await Task.WhenAll(connections.Select(c => HubClientRun.RunAsync(c, HubClientRun.Request(k, tokens), timeout))))
                    if (run.Outcome == HubOutcome.Error || run.Outcome == HubOutcome.Hang) throw new InvalidOperationException($"warm-up round failed: {run.Message} {server.Errors}");
            var (rssBefore, peakBefore) = server.Memory();

            long rssPeak = rssBefore;
            int samples = 0;
            using var sampling = new CancellationTokenSource();
            Task sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    rssPeak = Math.Max(rssPeak, server.Memory().RssKb);
                    samples++;
                    try { await Task.Delay(50, sampling.Token); }
                    catch (OperationCanceledException) { break; }
                }
            }, CancellationToken.None);

            HubServer.StepsReply joinedBefore = await server.CountsAsync(cancellation);
            double serverCpu = server.ProcessCpuSeconds(), modelCpu = server.ModelThreadCpuSeconds();
            TimeSpan clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            HubClientRun[] runs = await Task.WhenAll(connections.Select(c => HubClientRun.RunAsync(c, HubClientRun.Request(k, tokens), timeout)));
            double wall = clock.Elapsed.TotalSeconds;
            serverCpu = server.ProcessCpuSeconds() - serverCpu;
            modelCpu = server.ModelThreadCpuSeconds() - modelCpu;
            double clientSeconds = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalSeconds;
            await Task.Delay(500, CancellationToken.None);   // let the server release what the run held
            await sampling.CancelAsync();
            await sampler;
            var (rssAfter, peakAfter) = server.Memory();
            HubServer.StepsReply joined = await server.CountsAsync(cancellation);
            long joinedSteps = joined.JoinedSteps - joinedBefore.JoinedSteps;
            double meanRows = joinedSteps == 0 ? double.NaN : Math.Round((joined.JoinedRows - joinedBefore.JoinedRows) / (double)joinedSteps, 2);

            HubClientRun[] completed = runs.Where(r => r.Outcome == HubOutcome.Completed).ToArray();
            double[] rates = completed.Select(r => r.StepsPerSecond).Where(double.IsFinite).ToArray();
            double lastEnd = completed.Length == 0 ? wall * 1000 : completed.Max(r => r.TotalMs);
            return new Variant(queue, batch, meanRows, joined.WidestStep, clients, completed.Length,
                runs.Count(r => r.Outcome == HubOutcome.Busy), runs.Count(r => r.Outcome == HubOutcome.Error), runs.Count(r => r.Outcome == HubOutcome.Hang),
                Math.Round(HubClientRun.Percentile(completed.Select(r => r.FirstStepMs), 0.5), 1),
                Math.Round(HubClientRun.Percentile(completed.Select(r => r.FirstStepMs), 0.95), 1),
                Math.Round(runs.Sum(r => r.Steps) / (lastEnd / 1000), 1),
                Math.Round(rates.DefaultIfEmpty(double.NaN).Min(), 1), Math.Round(HubClientRun.Percentile(rates, 0.5), 1), Math.Round(rates.DefaultIfEmpty(double.NaN).Max(), 1),
                Math.Round(wall, 2), rssBefore / 1024, rssPeak / 1024, rssAfter / 1024, peakBefore / 1024, peakAfter / 1024, samples,
                runs.Select((r, i) => new Client(i + 1, r.Outcome.ToString().ToLowerInvariant(), Math.Round(r.FirstStepMs, 1), Math.Round(r.TotalMs, 1),
                    r.Steps, Math.Round(r.StepsPerSecond, 1), r.Message)).ToArray())
            {
                ServerCpuMsPerStep = Math.Round(serverCpu * 1000 / Math.Max(1, runs.Sum(r => r.Steps)), 3),
                ModelCpuMsPerStep = Math.Round(modelCpu * 1000 / Math.Max(1, runs.Sum(r => r.Steps)), 3),
                ClientCpuMsPerStep = Math.Round(clientSeconds * 1000 / Math.Max(1, runs.Sum(r => r.Steps)), 3),
                CoresBusy = Math.Round((serverCpu + clientSeconds) / wall, 2),
            };
        }
        finally
        {
            foreach (HubConnection connection in connections) await connection.DisposeAsync();
        }
    }

    // Requests one after another from one client on a fresh server; RSS after a warm-up and after the last request.
    private static async Task<Soak> RunSoak(string checkpoint, int requests, int k, TimeSpan timeout, CancellationToken cancellation)
    {
        await using HubServerProcess server = await HubServerProcess.StartAsync(checkpoint, 4, cancellation);
        await using HubConnection connection = await server.ConnectAsync(cancellation);
        HubClientRun warm = await HubClientRun.RunAsync(connection, HubClientRun.Request(k, 2), timeout);
        if (warm.Outcome != HubOutcome.Completed) throw new InvalidOperationException($"warm-up generation failed: {warm.Message} {server.Errors}");
        long before = server.Memory().RssKb;
        var clock = Stopwatch.StartNew();
        int completed = 0;
        for (int i = 0; i < requests; i++)
            if ((await HubClientRun.RunAsync(connection, HubClientRun.Request(k, 2), timeout)).Outcome == HubOutcome.Completed) completed++;
        double seconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(500, CancellationToken.None);
        var (after, peak) = server.Memory();
        return new Soak(requests, completed, before / 1024, after / 1024, peak / 1024, Math.Round(seconds, 1));
    }

    private static string F(double value, string format = "F1") => double.IsFinite(value) ? value.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "–";

    private static void Print(Report report)
    {
        AnsiConsole.WriteLine($"{report.Model} Each client: its own connection (WebSockets, loopback), greedy, K = {report.K}, {report.Tokens} tokens; all start together after one warm-up generation{(report.WarmupRounds > 0 ? $" and {report.WarmupRounds} unmeasured round(s) of the same load" : "")}; timeout {report.TimeoutSeconds:F0} s.");
        var outcomes = BenchCommands.FiguresTable("queue capacity", "batch", "requests per joined step (mean / most)", "clients", "completed", "busy", "errors", "hangs", "TTFS p50 ms", "TTFS p95 ms", "aggregate steps/s", "client steps/s min / median / max", "wall s");
        foreach (Variant v in report.Variants)
            outcomes.AddRow(v.QueueCapacity.ToString(), v.Batch.ToString(), $"{F(v.MeanRowsPerJoinedStep, "F2")} / {v.WidestStep}", v.Clients.ToString(), v.Completed.ToString(), v.Busy.ToString(), v.Errors.ToString(), v.Hangs.ToString(),
                F(v.FirstStepP50Ms, "F0"), F(v.FirstStepP95Ms, "F0"), F(v.AggregateStepsPerSecond),
                $"{F(v.ClientStepsPerSecondMin)} / {F(v.ClientStepsPerSecondMedian)} / {F(v.ClientStepsPerSecondMax)}", F(v.WallSeconds, "F2"));
        AnsiConsole.Write(outcomes);
        AnsiConsole.WriteLine("TTFS = time from the Generate call to the first step frame, over completed clients (queued clients wait for those ahead).");
        AnsiConsole.WriteLine("Aggregate = all step frames received / time until the last client finished; a client's rate = its steps after the first / its time from first step to done.");
        AnsiConsole.WriteLine("Batch = the server's Isrm:Model:MaxBatch (requests refined together per checkpoint); a joined step refines every request waiting at it in one call.");

        var memory = BenchCommands.FiguresTable("queue capacity", "server RSS before MB", "RSS peak during run MB", "RSS after MB", "peak RSS (VmHWM) before MB", "peak RSS (VmHWM) after MB", "samples");
        foreach (Variant v in report.Variants)
            memory.AddRow(v.QueueCapacity.ToString(), v.RssBeforeMb.ToString(), v.RssPeakSampledMb.ToString(), v.RssAfterMb.ToString(),
                v.PeakRssBeforeMb.ToString(), v.PeakRssAfterMb.ToString(), v.RssSamples.ToString());
        AnsiConsole.Write(memory);
        AnsiConsole.WriteLine("Server RSS sampled every 50 ms from /proc/<pid>/status; \"before\" is after loading the model and one warm-up generation.");
        if (report.Scaling is { } scaling)
            AnsiConsole.WriteLine($"{scaling.Clients} clients together against one alone, {scaling.Repeats} repeats on fresh servers: aggregate steps/s ratio median {scaling.MedianRatio:F2}× " +
                $"(range {scaling.MinRatio:F2}–{scaling.MaxRatio:F2}; each: {string.Join(", ", scaling.Ratios.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}); " +
                $"time to first step p95 with {scaling.Clients} clients {string.Join(", ", scaling.ManyFirstStepP95Ms.Select(ms => (ms / 1000).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} s.");
        if (report.Soak is { } soak)
            AnsiConsole.WriteLine($"Soak: {soak.Completed} of {soak.Requests} requests one after another (K = {report.K}, 2 tokens each) in {soak.Seconds:F1} s; server RSS {soak.RssBeforeMb} MB before, {soak.RssAfterMb} MB after ({soak.RssAfterMb - soak.RssBeforeMb:+0;-0;0} MB), peak {soak.PeakRssAfterMb} MB.");

        foreach (Variant v in report.Variants)
        {
            AnsiConsole.WriteLine($"Per client, queue capacity {v.QueueCapacity}:");
            var table = BenchCommands.FiguresTable("client", "outcome", "TTFS ms", "total ms", "steps", "steps/s");
            foreach (Client c in v.PerClient)
                table.AddRow(c.Index.ToString(), c.Outcome, F(c.FirstStepMs, "F0"), F(c.TotalMs, "F0"), c.Steps.ToString(), F(c.StepsPerSecond));
            AnsiConsole.Write(table);
            foreach (Client c in v.PerClient.Where(c => c.Outcome is "error" or "hang"))
                AnsiConsole.WriteLine($"  client {c.Index} {c.Outcome}: {c.Message}");
        }
        bool clean = report.Variants.All(v => v.Errors + v.Hangs == 0);
        AnsiConsole.WriteLine(clean ? "Every client completed or was told busy: no errors, no hangs." : "FAILED: some clients ended in an error or a hang (listed above).");
    }
}
