using System.Text.Json;
using System.Text.Json.Serialization;
using Isrm.Model.Evaluation;
using Isrm.Model.Training;

namespace Isrm.Web.State;

/// <summary>A training run: its folder name (relative to the runs root) and its <c>metrics.jsonl</c> lines so far.</summary>
public sealed record TrainingRun(string Name, string MetricsPath, IReadOnlyList<TrainingProgress> Points);

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
    public static IReadOnlyList<TrainingRun> ReadRuns(string runsRoot)
    {
        if (!Directory.Exists(runsRoot)) return [];
        return Directory.EnumerateFiles(runsRoot, Trainer.MetricsFile, SearchOption.AllDirectories)
            .Select(path => new TrainingRun(
                Path.GetRelativePath(runsRoot, Path.GetDirectoryName(path)!), path, ReadMetrics(path)))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
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
