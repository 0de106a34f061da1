namespace Isrm.Web.Puzzles;

/// <summary>One measured point of a checkpoint's accuracy against K (a row of <c>isrm solve --json</c>).</summary>
public sealed record PuzzleCurvePoint(int Size, string K, int Instances, double Accuracy, double? MeanK)
{
    /// <summary>K as a number; ∞ counts as its mean K reached (or null when unknown).</summary>
    public double? Steps => K == "inf" ? MeanK : double.TryParse(K, System.Globalization.CultureInfo.InvariantCulture, out double k) ? k : null;
}

/// <summary>A checkpoint's accuracy-vs-K results and the file they came from.</summary>
public sealed record PuzzleCurve(string Source, string Task, IReadOnlyList<PuzzleCurvePoint> Points)
{
    public IEnumerable<int> Sizes => Points.Select(p => p.Size).Distinct().Order();
}

/// <summary>
/// Finds the <c>isrm solve --json</c> output of a puzzle checkpoint: a results file inside the checkpoint folder, or one in
/// <see cref="PuzzleOptions.ReportsPath"/> whose name starts with the checkpoint's name or whose <c>checkpoint</c> field
/// names it. Files of another task, or unreadable, are skipped.
/// </summary>
public sealed class PuzzleCurves(CheckpointCatalog catalog, IOptions<PuzzleOptions> options, IHostEnvironment environment)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly HashSet<string> CheckpointFiles = [Checkpoint.ConfigFile, Checkpoint.MetadataFile, PuzzleTrainer.LegacyOptionsFile, "trainer.json", "metrics.jsonl", "tokenizer.json", "split.json"];

    public string ReportsRoot { get; } = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.ReportsPath));

    /// <summary>The curve of <paramref name="checkpoint"/>, or null when none was written.</summary>
    public PuzzleCurve? For(string checkpoint)
    {
        if (!catalog.TryResolvePuzzle(checkpoint, null, out string directory, out CheckpointListing? listing, out _)) return null;
        IEnumerable<string> own = Directory.EnumerateFiles(directory, "*.json")
            .Where(f => !CheckpointFiles.Contains(Path.GetFileName(f))).Order(StringComparer.Ordinal);
        IEnumerable<string> reports = Directory.Exists(ReportsRoot)
            ? Directory.EnumerateFiles(ReportsRoot, "*.json").Order(StringComparer.Ordinal)
            : [];
        foreach (string file in own.Concat(reports))
        {
            bool inFolder = Path.GetDirectoryName(file) == directory;
            if (Read(file, listing!.Task, checkpoint, byName: inFolder || Path.GetFileName(file).StartsWith(checkpoint, StringComparison.Ordinal))
                is PuzzleCurve curve)
                return curve;
        }
        return null;
    }

    /// <summary>
    /// The text-task checkpoints (an ISRM whose metadata.json names its task, e.g. addition) with their accuracy-vs-K
    /// curves, read from <c>isrm solve --json</c> files in their folder, like a puzzle checkpoint's.
    /// </summary>
    public IReadOnlyList<PuzzleCurve> TextTaskCurves()
    {
        if (!Directory.Exists(catalog.Root)) return [];
        var curves = new List<PuzzleCurve>();
        foreach (string directory in Directory.EnumerateDirectories(catalog.Root).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(directory);
            if (name.StartsWith('.') || TextTaskOf(directory) is not string task) continue;
            foreach (string file in Directory.EnumerateFiles(directory, "*.json").Where(f => !CheckpointFiles.Contains(Path.GetFileName(f))).Order(StringComparer.Ordinal))
                if (Read(file, task, name, byName: true) is PuzzleCurve curve)
                {
                    curves.Add(curve with { Source = $"{name}/{curve.Source}" });
                    break;
                }
        }
        return curves;
    }

    private static string? TextTaskOf(string directory)
    {
        string metadata = Path.Combine(directory, Checkpoint.MetadataFile);
        if (!File.Exists(metadata) || CheckpointFolder.IsPuzzle(directory)) return null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(metadata));
            return doc.RootElement.TryGetProperty("task", out JsonElement task) && task.ValueKind == JsonValueKind.String ? task.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }

    private static PuzzleCurve? Read(string file, string task, string checkpoint, bool byName)
    {
        try
        {
            if (new FileInfo(file).Length > 4 << 20) return null;
            var report = JsonSerializer.Deserialize<SolveReport>(File.ReadAllText(file), Json);
            if (report?.Results is not { Count: > 0 } results || report.Task != task) return null;
            bool named = report.Checkpoint is string c && Path.GetFileName(c.TrimEnd('/', '\\')) == checkpoint;
            if (!byName && !named) return null;
            var points = results.Where(r => r.K is not null && r.Instances > 0)
                .Select(r => new PuzzleCurvePoint(r.Size, r.K!, r.Instances, r.Accuracy, r.MeanK)).ToList();
            return points.Count == 0 ? null : new PuzzleCurve(Path.GetFileName(file), task, points);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record SolveReport(string? Task, string? Checkpoint, List<SolveRow>? Results);

    private sealed record SolveRow(int Size, string? K, int Instances, int Solved, double Accuracy, double? MeanK);
}
