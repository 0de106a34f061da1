using System.Net.Sockets;

namespace Isrm.Tests;

/// <summary>Ports on 127.0.0.1 for the servers the tests start (a fake registry, redis).</summary>
internal static class LoopbackPort
{
    /// <summary>A port nothing listens on (bound, then released): another process may still take it before the caller binds it.</summary>
    public static int Free()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
