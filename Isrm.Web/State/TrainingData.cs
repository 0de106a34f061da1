using Isrm.Model.Evaluation;
using Isrm.Model.Training;

namespace Isrm.Web.State;

/// <summary>A training run: its name (folder relative to its root, prefixed by the root's label) and its metrics so far.</summary>
public sealed record TrainingRun(string Name, string MetricsPath, IReadOnlyList<TrainingProgress> Points);

/// <summary>A scaling report found under the reports folder: its name (folder relative to that root) and path.</summary>
public sealed record ScalingReport(string Name, string Path);

/// <summary>
/// Reads the files the trainer and evaluator write, with their own record types (<see cref="TrainingProgress"/> for
/// <c>metrics.jsonl</c>, <see cref="ScalingResult"/> for <c>scaling.json</c>); tolerant of a half-written last line.
/// </summary>
public static class TrainingData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Every <c>metrics.jsonl</c> under <paramref name="runsRoot"/>, sorted by name.</summary>
    public static IReadOnlyList<TrainingRun> ReadRuns(string runsRoot) =>
        FindMetrics(runsRoot, "").Select(f => new TrainingRun(f.Name, f.Path, ReadMetrics(f.Path))).ToList();

    /// <summary>The <c>metrics.jsonl</c> files under <paramref name="root"/>, named "label/folder" (or "folder" without a label).</summary>
    public static IReadOnlyList<(string Name, string Path)> FindMetrics(string root, string label)
    {
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateFiles(root, Trainer.MetricsFile, SearchOption.AllDirectories)
            .Select(path =>
            {
                string folder = Path.GetRelativePath(root, Path.GetDirectoryName(path)!).Replace('\\', '/');
                string name = label.Length == 0 ? folder : folder == "." ? label : $"{label}/{folder}";
                return (name, path);
            })
            .OrderBy(r => r.name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every <c>scaling.json</c> under <paramref name="reportsRoot"/> (any depth), named by its folder.</summary>
    public static IReadOnlyList<ScalingReport> FindScalingReports(string reportsRoot)
    {
        if (!Directory.Exists(reportsRoot)) return [];
        return Directory.EnumerateFiles(reportsRoot, "scaling.json", SearchOption.AllDirectories)
            .Select(path =>
            {
                string folder = Path.GetRelativePath(reportsRoot, Path.GetDirectoryName(path)!).Replace('\\', '/');
                return new ScalingReport(folder == "." ? "scaling.json" : folder, path);
            })
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// At most <paramref name="max"/> points for drawing: consecutive points averaged in equal buckets (the last point
    /// kept as is), so that an 11,000-step run draws as fast as a short one and reads less noisy.
    /// </summary>
    public static IReadOnlyList<(double Step, double Loss)> Thin(IReadOnlyList<(double Step, double Loss)> points, int max)
    {
        if (points.Count <= max) return points;
        int bucket = (int)Math.Ceiling(points.Count / (double)max);
        var thinned = new List<(double, double)>(max + 1);
        for (int i = 0; i < points.Count; i += bucket)
        {
            int end = Math.Min(points.Count, i + bucket);
            double step = 0, loss = 0;
            for (int j = i; j < end; j++) { step += points[j].Step; loss += points[j].Loss; }
            thinned.Add((step / (end - i), loss / (end - i)));
        }
        thinned.Add(points[^1]);
        return thinned;
    }

    /// <summary>Parses each complete line; a line still being written (not valid JSON yet) is skipped.</summary>
    public static IReadOnlyList<TrainingProgress> ReadMetrics(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var points = new List<TrainingProgress>();
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize<TrainingProgress>(line, Json) is { } p) points.Add(p);
            }
            catch (JsonException)
            {
                // the trainer may be mid-write on the last line; it is read complete on the next poll
            }
        }
        return points;
    }

    /// <summary>Reads <c>scaling.json</c> (an array of results); a missing file is no results, an element that is not one is skipped.</summary>
    public static IReadOnlyList<ScalingResult> ReadScaling(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return [];
            var results = new List<ScalingResult>();
            foreach (JsonElement element in doc.RootElement.EnumerateArray())
            {
                try
                {
                    if (element.Deserialize<ScalingResult>(Json) is { K.Invalid: null } result) results.Add(result);
                }
                catch (JsonException)
                {
                    // not a result of isrm eval (a missing field, a K that is not one): leave it out
                }
            }
            return results;
        }
        catch (JsonException)
        {
            return [];   // being rewritten: read again on the next poll
        }
    }
}
