using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Isrm.Tests.Web;

/// <summary>
/// The web app on a real Kestrel port with its checkpoints folder pointed at <paramref name="checkpointsRoot"/>;
/// <paramref name="settings"/> override configuration keys (e.g. a limit), <paramref name="environment"/> the host environment
/// and <paramref name="redis"/> switches the SignalR Redis backplane on (<c>Isrm:Redis</c>); <paramref name="maxBatch"/> sets
/// how many requests one checkpoint refines together (1 for tests of the queue behind one running request).
/// </summary>
public sealed class IsrmWebApp(
    string checkpointsRoot, IGenerationBackend? backend = null, int queueCapacity = 4, string? runsRoot = null,
    IReadOnlyDictionary<string, string>? settings = null, string environment = "Development", string? redis = null, int? maxBatch = null)
    : WebApplicationFactory<Program>
{
    public string CheckpointsRoot => checkpointsRoot;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("Isrm:CheckpointsPath", checkpointsRoot);
        builder.UseSetting("Isrm:DefaultCheckpoint", "tiny");
        builder.UseSetting("Isrm:Model:QueueCapacity", queueCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (maxBatch is int batch) builder.UseSetting("Isrm:Model:MaxBatch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string runs = runsRoot ?? checkpointsRoot + "-runs";
        builder.UseSetting("Isrm:Training:RunsPath", runs);
        builder.UseSetting("Isrm:Training:ReportsPath", Path.Combine(runs, "reports"));
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        if (redis is not null) builder.UseSetting("Isrm:Redis", redis);
        if (backend is not null) builder.ConfigureTestServices(s => s.AddSingleton(backend));
    }

    /// <summary>Starts Kestrel on a free port and returns the app's base address.</summary>
    public Uri Start()
    {
        UseKestrel(0);
        StartServer();
        string address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal));
    }

    public RefinementService Models => Services.GetRequiredService<RefinementService>();

    /// <summary>A real SignalR client connected over WebSockets to the hub.</summary>
    public async Task<HubConnection> ConnectAsync(Uri baseAddress)
    {
        HubConnection connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/refinement"), o => o.Transports = HttpTransportType.WebSockets)
            .AddJsonProtocol(o => o.PayloadSerializerOptions.NumberHandling = Isrm.Web.Hubs.WireJson.Numbers)
            .Build();
        await connection.StartAsync();
        return connection;
    }
}
