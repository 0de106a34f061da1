using System.Text.Json;
using System.Text.Json.Serialization;

namespace Isrm.Web.State;

/// <summary>One line of a run's <c>metrics.jsonl</c> written by <c>isrm train</c>.</summary>
public sealed record MetricsPoint(
    long Step, double TrainLoss, double? ValLoss, double Lr, double K, double GradNorm, long Tokens, double Flops, double ElapsedSec);

/// <summary>A training run: its folder name (relative to the runs root) and its metrics so far.</summary>
public sealed record TrainingRun(string Name, string MetricsPath, IReadOnlyList<MetricsPoint> Points);

/// <summary>One row of <c>reports/scaling.json</c>: held-out loss of a checkpoint at a given K.</summary>
public sealed record ScalingPoint(string Checkpoint, int? K, bool IsInfinite, double LossNatsPerToken, double BitsPerByte, double MeanDelta, double MeanResidual);

/// <summary>Reads the files the trainer and evaluator write; tolerant of a half-written last line.</summary>
public static class TrainingData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Every <c>metrics.jsonl</c> under <paramref name="runsRoot"/>, sorted by name.</summary>
    public static IReadOnlyList<TrainingRun> ReadRuns(string runsRoot)
    {
        if (!Directory.Exists(runsRoot)) return [];
        return Directory.EnumerateFiles(runsRoot, "metrics.jsonl", SearchOption.AllDirectories)
            .Select(path => new TrainingRun(
                Path.GetRelativePath(runsRoot, Path.GetDirectoryName(path)!), path, ReadMetrics(path)))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Parses each complete line; a line still being written (not valid JSON yet) is skipped.</summary>
    public static IReadOnlyList<MetricsPoint> ReadMetrics(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var points = new List<MetricsPoint>();
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize<MetricsPoint>(line, Json) is { } p) points.Add(p);
            }
            catch (JsonException)
            {
                // the trainer may be mid-write on the last line; it is read complete on the next poll
            }
        }
        return points;
    }

    /// <summary>Reads <c>scaling.json</c>; missing file = no points.</summary>
    public static IReadOnlyList<ScalingPoint> ReadScaling(string path)
    {
        if (!File.Exists(path)) return [];
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement array = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
            : doc.RootElement.TryGetProperty("points", out JsonElement inner) ? inner : default;
        if (array.ValueKind != JsonValueKind.Array) return [];
        return array.EnumerateArray().Where(e => e.TryGetProperty("k", out _)).Select(e =>
        {
            // isrm eval writes k as a string ("8", "inf"); a number is accepted too
            JsonElement k = e.GetProperty("k");
            string text = k.ValueKind == JsonValueKind.String ? k.GetString() ?? "" : k.GetRawText();
            bool inf = text is "inf" or "∞";
            int? steps = int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : null;
            return new ScalingPoint(
                e.GetProperty("checkpoint").GetString() ?? "?",
                steps, inf,
                Number(e, "lossNatsPerToken"), Number(e, "bitsPerByte"), Number(e, "meanDelta"), Number(e, "meanResidual"));
        }).Where(p => p.IsInfinite || p.K is not null).ToList();
    }

    private static double Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
}
