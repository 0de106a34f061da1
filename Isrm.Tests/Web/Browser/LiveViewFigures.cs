using System.Text.Json.Nodes;

namespace Isrm.Tests.Web.Browser;

/// <summary>
/// The figures the live-view browser tests measure (lags, stop times, contrast, tab stops, widths), kept as they are
/// measured in <c>TestResults/live-view.json</c> — one object, a key a figure, with the time of the run — so that the
/// table of docs/live-view.md is generated from a file (copied to <c>reports/live-view/figures.json</c>) and not
/// copied from the console.
/// </summary>
internal static class LiveViewFigures
{
    public static readonly string File = Path.Combine(Path.GetDirectoryName(LiveViewFixture.Screenshots)!, "live-view.json");
    private static readonly Lock Gate = new();

    /// <summary>Keeps the figure under a key of letters, digits and dashes made from <paramref name="key"/>.</summary>
    public static void Record(string key, double value) => Update(key, _ => value);

    /// <summary>Keeps the largest figure recorded under the key in this run of the tests.</summary>
    public static void Max(string key, double value) => Update(key, old => old is double o ? Math.Max(o, value) : value);

    private static readonly HashSet<string> ThisRun = [];

    private static void Update(string key, Func<double?, double> next)
    {
        key = System.Text.RegularExpressions.Regex.Replace(key, "[^A-Za-z0-9]+", "-").Trim('-');
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(File)!);
            JsonObject figures = System.IO.File.Exists(File) && JsonNode.Parse(System.IO.File.ReadAllText(File)) is JsonObject kept ? kept : [];
            double? old = ThisRun.Contains(key) && figures[key] is JsonValue v && v.TryGetValue(out double d) ? d : null;
            ThisRun.Add(key);
            figures[key] = Math.Round(next(old), 2);
            figures["measuredUtc"] = DateTime.UtcNow.ToString("u", System.Globalization.CultureInfo.InvariantCulture);
            figures["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}";
            System.IO.File.WriteAllText(File, figures.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
    }
}
