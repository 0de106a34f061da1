using System.Net.Sockets;

namespace Isrm.Tests.Web;

/// <summary>
/// Debian's <c>redis-server</c> (provisioned by <see cref="HostTools"/>) as a child process on a free loopback port, with no persistence; killed on dispose.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string, as <c>Isrm:Redis</c> takes it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        string executable = HostTools.RedisServer;
        for (int attempt = 1; ; attempt++)
        {
            int port = LoopbackPort.Free();
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
                start.ArgumentList.Add(arg);
            var process = Process.Start(start)!;
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new RedisServer(process, port);
            if (await server.WaitUntilReadyAsync()) return server;
            await server.DisposeAsync();
            // another process took the port between LoopbackPort.Free and redis binding it: try another
            if (attempt == 3)
            {
                lock (output) throw new InvalidOperationException($"redis-server did not start on port {port}:\n{output}");
            }
        }
    }

    /// <summary>
    /// Sends one command in Redis's inline form and returns line <paramref name="line"/> (1-based) of the reply:
    /// <c>+PONG</c> for PING, the count (<c>:1</c>) as line 4 of <c>PUBSUB NUMSUB channel</c>.
    /// </summary>
    public async Task<string> CommandAsync(string inline, int line = 1)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(inline + "\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        string reply = "";
        for (int i = 0; i < line; i++) reply = await reader.ReadLineAsync() ?? "";
        return reply;
    }

    private async Task<bool> WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10); // a hang guard on a loaded machine, not a measurement
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                if (await CommandAsync("PING") == "+PONG") return true;
            }
            catch (SocketException)
            {
                // not listening yet
            }
            await Task.Delay(50);
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
