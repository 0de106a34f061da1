namespace Isrm.Tests.Web;

/// <summary>The Training page reads the files the trainer and evaluator ship, through their own record types.</summary>
public sealed class TrainingFilesTests
{
    private static string Root => Repository.Root;

    [Fact]
    public void Every_result_of_the_shipped_scaling_reports_is_read()
    {
        foreach (string path in Directory.GetFiles(Path.Combine(Root, "reports"), "scaling.json", SearchOption.AllDirectories))
        {
            int written = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetArrayLength();
            var read = TrainingData.ReadScaling(path);

            Assert.Equal(written, read.Count);
            Assert.All(read, r => Assert.True(r.K.IsInfinite || r.K.Steps >= 1, $"{path}: K {r.K}"));
        }
    }

    [Fact]
    public void Every_line_of_the_shipped_metrics_is_read()
    {
        foreach (string path in Directory.GetFiles(Path.Combine(Root, "checkpoints"), Trainer.MetricsFile, SearchOption.AllDirectories))
        {
            IReadOnlyList<TrainingProgress> points = TrainingData.ReadMetrics(path);

            Assert.Equal(File.ReadLines(path).Count(l => l.Trim().Length > 0), points.Count);
            Assert.True(points[^1].Step > points[0].Step, path);
            Assert.Contains(points, p => p.ValLoss is not null);
        }
    }
}
