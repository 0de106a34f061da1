using Isrm.Model.Training;

namespace Isrm.Web.State;

/// <summary>
/// Reads the training runs of several folders (the shipped checkpoints, the configured runs folder) and re-parses a
/// <c>metrics.jsonl</c> only when its size or time changed, so that polling a finished 11,000-step run costs nothing.
/// </summary>
public sealed class TrainingFiles
{
    private readonly Dictionary<string, (long Length, DateTime Written, IReadOnlyList<TrainingProgress> Points)> _cache = new(StringComparer.Ordinal);

    /// <summary>Every run under every root, named "label/folder"; a file found under two roots is listed once.</summary>
    public IReadOnlyList<TrainingRun> Read(IEnumerable<(string Label, string Root)> roots)
    {
        var runs = new List<TrainingRun>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string label, string root) in roots)
            foreach ((string name, string path) in TrainingData.FindMetrics(root, label))
                if (seen.Add(Path.GetFullPath(path))) runs.Add(new TrainingRun(name, path, Points(path)));
        return runs;
    }

    private IReadOnlyList<TrainingProgress> Points(string path)
    {
        var info = new FileInfo(path);
        if (_cache.TryGetValue(path, out var cached) && cached.Length == info.Length && cached.Written == info.LastWriteTimeUtc)
            return cached.Points;
        IReadOnlyList<TrainingProgress> points = TrainingData.ReadMetrics(path);
        _cache[path] = (info.Length, info.LastWriteTimeUtc, points);
        return points;
    }
}
