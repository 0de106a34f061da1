using System.Net;

namespace Isrm.Cli.Data;

/// <summary>Where an npm package version's tarball lives and the hash it must have (<c>dist.tarball</c>, <c>dist.integrity</c>).</summary>
public sealed record NpmDist(string TarballUrl, string Integrity);

/// <summary>Reads package metadata from an npm registry and downloads tarballs with plain HTTP GETs (no npm needed).</summary>
public sealed class NpmRegistryClient(HttpClient http, Uri registry)
{
    public Uri Registry { get; } = registry;

    public async Task<NpmDist> GetDistAsync(string package, string version, CancellationToken cancellation)
    {
        var url = new Uri(Registry, $"{Uri.EscapeDataString(package)}/{Uri.EscapeDataString(version)}");
        string json = await GetStringAsync(url, $"{package} {version}", cancellation);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement dist = document.RootElement.GetProperty("dist");
            string? tarball = dist.GetProperty("tarball").GetString();
            string? integrity = dist.GetProperty("integrity").GetString();
            if (string.IsNullOrEmpty(tarball) || string.IsNullOrEmpty(integrity)) throw new KeyNotFoundException();
            return new NpmDist(tarball, integrity);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CorpusException($"The registry's answer at {url} has no readable dist.tarball and dist.integrity; check the --registry URL.", e);
        }
    }

    /// <summary>Downloads the tarball into memory and checks it against the integrity hash before returning it.</summary>
    public async Task<byte[]> DownloadVerifiedAsync(NpmDist dist, IProgress<CorpusProgress>? progress, CancellationToken cancellation)
    {
        if (!Uri.TryCreate(dist.TarballUrl, UriKind.Absolute, out Uri? url))
            throw new CorpusException($"The registry gave the tarball address '{dist.TarballUrl}', which is not a URL; check the --registry URL.");
        byte[] data = await DownloadAsync(url, progress, cancellation);
        if (!SubresourceIntegrity.Matches(dist.Integrity, data))
            throw new CorpusException($"The download of {url} failed its sha512 integrity check ({data.Length} bytes received), so nothing was cached; run the command again or check the --registry URL.");
        return data;
    }

    private async Task<string> GetStringAsync(Uri url, string what, CancellationToken cancellation)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync(url, cancellation);
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new CorpusException($"The registry at {Registry} has no {what} (HTTP 404 for {url}); check the --registry URL.");
            if (!response.IsSuccessStatusCode)
                throw new CorpusException($"The registry answered HTTP {(int)response.StatusCode} for {url}; try again later or check the --registry URL.");
            return await response.Content.ReadAsStringAsync(cancellation);
        }
        catch (Exception e) when (IsNetworkFailure(e, cancellation))
        {
            throw Unreachable(url, e);
        }
    }

    private async Task<byte[]> DownloadAsync(Uri url, IProgress<CorpusProgress>? progress, CancellationToken cancellation)
    {
        long? total = null;
        long done = 0;
        bool responded = false;
        try
        {
            using HttpResponseMessage response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation);
            responded = true;
            if (!response.IsSuccessStatusCode)
                throw new CorpusException($"The tarball download answered HTTP {(int)response.StatusCode} for {url}; try again later or check the --registry URL.");
            total = response.Content.Headers.ContentLength;
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellation);
            var buffer = new MemoryStream(total is > 0 and < int.MaxValue ? (int)total : 1 << 20);
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellation)) > 0)
            {
                buffer.Write(chunk, 0, read);
                done += read;
                progress?.Report(new CorpusProgress("download", done, total));
            }
            if (total is { } expected && done != expected) throw new IOException("length mismatch");
            return buffer.ToArray();
        }
        catch (Exception e) when (responded && IsNetworkFailure(e, cancellation))
        {
            string of = total is { } t ? $"{done} of {t}" : $"{done}";
            throw new CorpusException($"The download of {url} was cut off after {of} bytes, so nothing was cached; check your connection and run the command again.", e);
        }
        catch (Exception e) when (IsNetworkFailure(e, cancellation))
        {
            throw Unreachable(url, e);
        }
    }

    // Timeouts surface as TaskCanceledException; a cancellation the caller asked for must propagate untouched.
    private static bool IsNetworkFailure(Exception e, CancellationToken cancellation) =>
        e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellation.IsCancellationRequested);

    private static CorpusException Unreachable(Uri url, Exception e)
    {
        string reason = (e is TaskCanceledException ? "timed out" : (e.InnerException ?? e).Message).TrimEnd('.');
        return new CorpusException($"Could not reach {url} ({reason}); check your network connection or the --registry URL.", e);
    }
}
