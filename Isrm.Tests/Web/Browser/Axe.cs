using System.Formats.Tar;
using System.IO.Compression;

namespace Isrm.Tests.Web.Browser;

/// <summary>
/// axe-core (Deque's accessibility engine, npm package <c>axe-core</c>) run inside the page. The tarball is fetched
/// once from the public npm registry with a plain GET, checked against its published sha512, and cached.
/// </summary>
public static class Axe
{
    private const string Version = "4.14.1";
    private static readonly NpmDist Dist = new(
        $"https://registry.npmjs.org/axe-core/-/axe-core-{Version}.tgz",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==");
    private static readonly SemaphoreSlim Loading = new(1, 1);
    private static string? _script;

    /// <summary>One violation of a rule: its id, impact, help text and the first offending elements.</summary>
    public sealed record Violation(string Id, string Impact, string Help, IReadOnlyList<string> Targets)
    {
        public override string ToString() => $"{Id} ({Impact}): {Help} — {string.Join(" | ", Targets)}";
    }

    /// <summary>Runs axe on the page (WCAG 2 A and AA rules and best practices) and returns the serious and critical violations.</summary>
    public static async Task<IReadOnlyList<Violation>> SeriousViolationsAsync(IPage page)
    {
        // evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline scripts) stays on
        await page.EvaluateAsync(await ScriptAsync() + "\n;true");
        string json = await page.EvaluateAsync<string>("""
            async () => {
              // colours read mid-transition (a button fading to disabled) are neither state: end transitions first
              document.getAnimations().filter(a => a instanceof CSSTransition).forEach(a => a.finish());
              const r = await axe.run(document, { resultTypes: ["violations"] });
              if (r.passes.length + r.violations.length === 0) throw new Error("axe checked no rule");
              return JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact || "", help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\n").slice(0, 2).join(" ")) })));
            }
            """);
        var all = JsonSerializer.Deserialize<List<Violation>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return all.Where(v => v.Impact is "serious" or "critical").ToList();
    }

    private static async Task<string> ScriptAsync()
    {
        await Loading.WaitAsync();
        try
        {
            if (_script is not null) return _script;
            string cache = Path.Combine(Path.GetTempPath(), "isrm-test-cache", $"axe-core-{Version}.min.js");
            if (!File.Exists(cache))
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
                byte[] tarball = await new NpmRegistryClient(http, new Uri("https://registry.npmjs.org/")).DownloadVerifiedAsync(Dist, null, CancellationToken.None);
                Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
                await File.WriteAllTextAsync(cache + ".tmp", await ExtractAsync(tarball, "package/axe.min.js"));
                File.Move(cache + ".tmp", cache, overwrite: true);
            }
            return _script = await File.ReadAllTextAsync(cache);
        }
        finally
        {
            Loading.Release();
        }
    }

    private static async Task<string> ExtractAsync(byte[] tarball, string name)
    {
        await using var gzip = new GZipStream(new MemoryStream(tarball), CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            if (entry.Name != name || entry.DataStream is null) continue;
            using var reader = new StreamReader(entry.DataStream);
            return await reader.ReadToEndAsync();
        }
        throw new InvalidDataException($"{name} is not in the axe-core {Version} tarball.");
    }
}
