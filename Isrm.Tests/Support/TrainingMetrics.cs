namespace Isrm.Tests;

/// <summary>What a training run wrote to its metrics file (one JSON object a step), read back for the tests.</summary>
internal static class TrainingMetrics
{
    /// <summary>One number of every step the run in <paramref name="run"/> logged, in step order (e.g. "totalLoss").</summary>
    public static List<double> Of(string run, string field) =>
        File.ReadLines(Path.Combine(run, Trainer.MetricsFile))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty(field).GetDouble()).ToList();
}
