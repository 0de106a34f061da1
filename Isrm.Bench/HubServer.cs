using System.Net.Http.Json;
using Isrm.Model.Tokenization;
using Isrm.Web.Extensions;
using Isrm.Web.Hubs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Isrm.Bench;

/// <summary>
/// The server side of the hub benchmarks: a child process (<c>isrm-bench hub-server</c>, hidden) that hosts Isrm.Web's
/// hub and model service with the web app's own registrations on loopback, so that its memory is measured apart from
/// the clients. It adds one endpoint, <c>/bench/steps</c>, with <see cref="RefinementService.StepsComputed"/>.
/// </summary>
internal static class HubServer
{
    public const string ListeningPrefix = "listening ";

    public static Command Create()
    {
        var checkpointOption = new Option<string>("--checkpoint") { Description = "Checkpoint folder served as the default", Required = true };
        var queueOption = new Option<int>("--queue") { Description = "Isrm:Model:QueueCapacity (MaxConcurrentGenerations becomes at least this + 1)", DefaultValueFactory = _ => 4 };
        var batchOption = new Option<int>("--batch") { Description = "Isrm:Model:MaxBatch: requests refined together per checkpoint", DefaultValueFactory = _ => 8 };
        var command = CliCommands.Create("hub-server", "Hosts the refinement hub on loopback until stdin closes (used by the hub benchmarks)",
            checkpointOption, queueOption, batchOption);
        command.Hidden = true;
        command.SetAction(async (parse, cancellation) =>
        {
            string checkpoint = Path.GetFullPath(parse.GetValue(checkpointOption)!);
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetDirectoryName(checkpoint) });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Isrm:CheckpointsPath"] = Path.GetDirectoryName(checkpoint),
                ["Isrm:DefaultCheckpoint"] = Path.GetFileName(checkpoint),
                ["Isrm:Model:QueueCapacity"] = parse.GetValue(queueOption).ToString(CultureInfo.InvariantCulture),
                ["Isrm:Model:MaxBatch"] = parse.GetValue(batchOption).ToString(CultureInfo.InvariantCulture),
                // the global cap (default 8) must not bind before the queue does, or "queue 32" would still turn 24 away
                ["Isrm:Model:MaxConcurrentGenerations"] = Math.Max(8, parse.GetValue(queueOption) + 1).ToString(CultureInfo.InvariantCulture),
                ["Isrm:Model:TorchThreads"] = "1",
                ["Isrm:Model:MaxLoadedModels"] = "1",
                // the per-client rate limit is not what these benchmarks measure (the soak sends 1,000 requests in a row)
                ["Isrm:Hub:RequestsPerMinute"] = "0",
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddIsrmOptions(builder.Configuration);
            builder.Services.AddIsrmRefinement();
            builder.Services.AddIsrmHub();
            await using WebApplication app = builder.Build();
            app.MapIsrmHubs();
            app.MapGet("/bench/steps", (RefinementService models) =>
            {
                var (batches, rows, widest) = models.Batching.Values.Aggregate((0L, 0L, 0L), (a, b) => (a.Item1 + b.Batches, a.Item2 + b.Rows, Math.Max(a.Item3, b.Widest)));
                return Results.Ok(new StepsReply(models.StepsComputed, batches, rows, widest));
            });
            await app.StartAsync(cancellation);
            Console.Out.WriteLine(ListeningPrefix + app.Urls.First());
            Console.Out.Flush();
            // The parent closes our stdin to stop us: a clean shutdown that unloads the model on its thread.
            await Task.Run(() => { while (Console.In.ReadLine() is not null) { } }, CancellationToken.None);
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <summary>Steps computed, and the joined steps of continuous batching: how many, the requests they held, the most in one.</summary>
    public sealed record StepsReply(long StepsComputed, long JoinedSteps = 0, long JoinedRows = 0, long WidestStep = 0);
}

/// <summary>A running <c>bench hub-server</c> child process and what the benchmarks read from it.</summary>
internal sealed class HubServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors;
    private readonly HttpClient _http = new();

    private HubServerProcess(Process process, Uri address, StringBuilder errors)
    {
        _process = process;
        BaseAddress = address;
        _errors = errors;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts the server for <paramref name="checkpoint"/> and waits until it listens.</summary>
    public static async Task<HubServerProcess> StartAsync(string checkpoint, int queueCapacity, CancellationToken cancellation, int batch = 8)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(HubServer).Assembly.Location);
        foreach (string a in new[] { "hub-server", "--checkpoint", checkpoint, "--queue", queueCapacity.ToString(CultureInfo.InvariantCulture),
                     "--batch", batch.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        Process process = Process.Start(start)!;
        var errors = new StringBuilder();
        _ = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
                lock (errors) errors.AppendLine(line);
        }, CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith(HubServer.ListeningPrefix, StringComparison.Ordinal))
                {
                    var server = new HubServerProcess(process, new Uri(line[HubServer.ListeningPrefix.Length..].Trim()), errors);
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return server;
                }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested) { }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
        string said;
        lock (errors) said = errors.ToString().Trim();
        throw new InvalidOperationException($"the hub server did not start within 60 s: {said}");
    }

    /// <summary>A SignalR client over WebSockets, configured as the web app's own client.</summary>
    public async Task<HubConnection> ConnectAsync(CancellationToken cancellation = default)
    {
        HubConnection connection = new HubConnectionBuilder()
            .WithUrl(new Uri(BaseAddress, RefinementHub.Path), o => o.Transports = HttpTransportType.WebSockets)
            .AddJsonProtocol(o => o.PayloadSerializerOptions.NumberHandling = WireJson.Numbers)
            .Build();
        await connection.StartAsync(cancellation);
        return connection;
    }

    /// <summary><see cref="RefinementService.StepsComputed"/> of the server.</summary>
    public async Task<long> StepsComputedAsync(CancellationToken cancellation = default) => (await CountsAsync(cancellation)).StepsComputed;

    /// <summary>Steps computed and the joined steps of continuous batching so far (<see cref="RefinementService.Batching"/>).</summary>
    public async Task<HubServer.StepsReply> CountsAsync(CancellationToken cancellation = default) =>
        (await _http.GetFromJsonAsync<HubServer.StepsReply>(new Uri(BaseAddress, "/bench/steps"), JsonSerializerOptions.Web, cancellation))!;

    /// <summary>Resident memory now (VmRSS) and its peak so far (VmHWM) of the server, in kB.</summary>
    public (long RssKb, long PeakKb) Memory()
    {
        long rss = 0, peak = 0;
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line);
        }
        return (rss, peak);
    }

    private static long Kilobytes(string line) => long.Parse(line.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>
    /// CPU seconds used so far by the server's model threads (named by CheckpointWorker: one per loaded checkpoint, which
    /// loads the model and runs every request on it), from /proc; NaN before any exists.
    /// </summary>
    public double ModelThreadCpuSeconds()
    {
        double sum = 0;
        bool any = false;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            string name;
            try { name = File.ReadAllText(Path.Combine(task, "comm")).Trim(); }
            catch (IOException) { continue; }
            if (name is not "isrm-web-model") continue;
            try { sum += CpuSeconds(Path.Combine(task, "stat")); any = true; }
            catch (IOException) { /* ended meanwhile */ }
        }
        return any ? sum : double.NaN;
    }

    /// <summary>CPU seconds used so far by the whole server process (every thread: model, Kestrel, SignalR).</summary>
    public double ProcessCpuSeconds() => CpuSeconds($"/proc/{_process.Id}/stat");

    private static double CpuSeconds(string statFile)
    {
        string stat = File.ReadAllText(statFile);
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[11], [12]: utime, stime in clock ticks of 10 ms (fields 14 and 15 of proc(5), counted after the name)
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public string Errors
    {
        get { lock (_errors) return _errors.ToString(); }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try { _process.StandardInput.Close(); }
        catch (IOException) { /* already gone */ }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try { await _process.WaitForExitAsync(grace.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(CancellationToken.None); }
        _process.Dispose();
    }
}

/// <summary>Which checkpoint the hub benchmarks serve: a given folder, the shipped isrm-default, or a random-init one saved to temp.</summary>
internal static class HubCheckpoint
{
    public const string Shipped = "checkpoints/isrm-default";

    /// <summary>A prompt of about 32 byte tokens.</summary>
    public const string Prompt = "The committee met on Tuesday to";

    public static System.CommandLine.Option<string?> Option() =>
        new("--checkpoint") { Description = $"Checkpoint folder (default: {Shipped}, found from the current folder up; else a random-init model saved to a temp folder)" };

    /// <summary>The folder to serve and a sentence saying which model it is.</summary>
    public static async Task<(string Directory, string Description)> ResolveAsync(string? given)
    {
        if (given is not null)
        {
            CheckpointInfo info = Checkpoint.Inspect(given);
            return (Path.GetFullPath(given), $"Checkpoint {Path.GetFullPath(given)} ({info.ParameterCount:N0} parameters).");
        }
        for (DirectoryInfo? folder = new(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, Shipped);
            if (File.Exists(Path.Combine(candidate, Checkpoint.ConfigFile)))
            {
                CheckpointInfo info = Checkpoint.Inspect(candidate);
                return (candidate, $"Shipped checkpoint {Shipped} ({info.ParameterCount:N0} parameters, trained).");
            }
        }
        string temp = Path.Combine(Path.GetTempPath(), "isrm-bench-random-init", "random-init");
        using var thread = new ModelThread("isrm-bench", 1);
        long parameters = await thread.RunAsync(() =>
        {
            TorchSharp.torch.manual_seed(0);
            using var model = new IsrmModel(new IsrmConfig());
            Checkpoint.Save(temp, model, new ByteTokenizer(), new CheckpointMetadata { Command = "isrm-bench (random init)", Corpus = "none (random init)" });
            return model.ParameterCount;
        });
        return (temp, $"No {Shipped} found: a {BenchModel.RandomInitName} model ({parameters:N0} parameters) saved to {temp}.");
    }
}
