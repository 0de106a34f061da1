namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench</c>: one subcommand per benchmark (each in its own file); with no subcommand every benchmark runs
/// with its defaults, each in a fresh child process, and <c>runs/bench.md</c> gets the machine description and
/// every benchmark's output next to its exact command. Adding a benchmark is a new file and one line in
/// <see cref="Benchmarks"/>.
/// </summary>
internal static class BenchCommand
{
    /// <summary>A benchmark, its section title in the report and the arguments that make it a smoke test (<c>--quick</c>).</summary>
    internal sealed record Entry(Command Command, string Title, string[] QuickArgs);

    private static IEnumerable<Entry> Benchmarks() =>
    [
        new(GenerationBenchmark.Create(), "Cached vs recompute generation", ["--context", "24", "--k", "1,3", "--tokens", "3", "--repeats", "1", "--threads", "1"]),
        new(RefinerBenchmark.Create(), "Refinement step vs the bare network calls", ["--context", "16", "--k", "2", "--repeats", "1"]),
        new(TrainingBenchmark.Create(), "Training throughput and MFU", ["--steps", "1"]),
        new(MemoryBenchmark.Create(), "Peak memory vs K", ["--context", "16", "--k", "1,4"]),
        new(AndersonBenchmark.Create(), "Anderson acceleration vs plain iteration", ["--calls", "8", "--context", "8"]),
        new(HubOverheadBenchmark.Create(), "Hub per-step overhead vs the bare engine", ["--k", "2", "--tokens", "3", "--repeats", "1"]),
        new(BatchBenchmark.Create(), "Continuous batching in the engine", ["--requests", "1,3", "--k", "2", "--tokens", "3", "--repeats", "1"]),
        new(HubLoadBenchmark.Create(), "Concurrent SignalR clients (load)", ["--quick"]),
        new(HubDisconnectBenchmark.Create(), "A client that disconnects mid-generation", ["--k", "64", "--tokens", "8", "--repeats", "1"]),
    ];

    /// <summary>Makes <paramref name="command"/> (the program's root) run every benchmark, with one subcommand per benchmark.</summary>
    public static void Configure(Command command)
    {
        var jsonOption = new Option<bool>("--json") { Description = "Each benchmark prints one JSON object instead of tables (no report file)" };
        var outOption = new Option<string>("--out") { Description = "Report file", DefaultValueFactory = _ => Path.Combine("runs", "bench.md") };
        var quickOption = new Option<bool>("--quick") { Description = "Tiny sizes: checks that every benchmark runs, its figures mean nothing" };
        var onlyOption = new Option<string?>("--only") { Description = "Run only these benchmarks, comma-separated (e.g. hub,hub-disconnect)" };
        foreach (Option option in new Option[] { jsonOption, outOption, quickOption, onlyOption }) command.Options.Add(option);
        Entry[] entries = Benchmarks().ToArray();
        foreach (Entry entry in entries) command.Subcommands.Add(entry.Command);
        command.Subcommands.Add(MemoryBenchmark.CreateProbe());
        command.Subcommands.Add(HubServer.Create());
        command.Subcommands.Add(BenchRlmCommand.Create());
        command.Subcommands.Add(ReferenceTrainingBenchmark.Create());
        command.SetAction(async (parse, cancellation) =>
        {
            bool json = parse.GetValue(jsonOption), quick = parse.GetValue(quickOption);
            string? only = parse.GetValue(onlyOption);
            Entry[] selected = entries;
            if (only is not null)
            {
                string[] names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (names.FirstOrDefault(n => entries.All(e => e.Command.Name != n)) is { } unknown)
                    return UserError.Report($"--only names benchmarks among {string.Join(", ", entries.Select(e => e.Command.Name))} (got '{unknown}').");
                selected = entries.Where(e => names.Contains(e.Command.Name)).ToArray();
            }
            if (json)
            {
                int worstJson = 0;
                foreach (Entry entry in selected)
                    worstJson = Math.Max(worstJson, await entry.Command.Parse([.. quick ? entry.QuickArgs : [], "--json"]).InvokeAsync(cancellationToken: cancellation));
                return worstJson;
            }

            string output = Path.GetFullPath(parse.GetValue(outOption)!);
            var report = new BenchReport(quick);
            foreach (Entry entry in selected)
            {
                cancellation.ThrowIfCancellationRequested();
                string[] args = [entry.Command.Name, .. quick ? entry.QuickArgs : []];
                Console.Out.WriteLine($"== isrm-bench {string.Join(' ', args)} ==");
                var clock = Stopwatch.StartNew();
                var (code, text) = await RunChild(args, cancellation);
                report.Add(entry.Title, "isrm-bench " + string.Join(' ', args), code, clock.Elapsed, text);
                Console.Out.WriteLine();
            }
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            await File.WriteAllTextAsync(output, report.Finish(), cancellation);
            Console.Out.WriteLine($"Wrote {output}");
            return report.WorstExitCode;
        });
    }

    /// <summary>Runs <c>isrm-bench args</c> in a fresh process, echoing its output live; returns its exit code and all it wrote.</summary>
    private static async Task<(int Code, string Text)> RunChild(string[] args, CancellationToken cancellation)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        var text = new System.Text.StringBuilder();
        async Task Pump(StreamReader reader, TextWriter echo)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lock (text) text.AppendLine(line);
                await echo.WriteLineAsync(line);
            }
        }
        Task pumping = Task.WhenAll(Pump(process.StandardOutput, Console.Out), Pump(process.StandardError, Console.Error));
        try { await process.WaitForExitAsync(cancellation); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        await pumping;
        return (process.ExitCode, text.ToString());
    }
}

/// <summary>The isrm-bench command tree (public: the tests walk it to check every documented command).</summary>
public static class BenchCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("isrm-bench: measure ISRM (no subcommand: every benchmark, written to runs/bench.md)");
        BenchCommand.Configure(root);
        return root;
    }
}
