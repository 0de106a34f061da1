using Isrm.Model.Evaluation;

namespace Isrm.Cli.Commands;

/// <summary>Writes evaluation results as JSON, CSV and two PNG plots (loss vs K; delta and residual vs K).</summary>
internal static class ScalingReportFiles
{
    public static void Write(string jsonPath, IReadOnlyList<ScalingResult> results)
    {
        string full = Path.GetFullPath(jsonPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string stem = Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full));
        File.WriteAllText(full, JsonSerializer.Serialize(results, JsonOutput.Options) + "\n");

        var csv = new StringBuilder("checkpoint,family,k,loss_nats_per_token,bits_per_byte,perplexity,mean_delta,mean_residual,kl_to_previous,mean_k_reached\n");
        foreach (ScalingResult r in results)
            csv.AppendLine(string.Join(',', r.Checkpoint, r.Family.Kebab(), r.K, F(r.LossNatsPerToken), F(r.BitsPerByte), F(r.Perplexity),
                F(r.MeanDelta), F(r.MeanResidual), r.KlToPrevious is double kl ? F(kl) : "", r.MeanKReached is double m ? F(m) : ""));
        File.WriteAllText(stem + ".csv", csv.ToString());

        LossPlot(results, stem + "-loss.png");
        DeltaResidualPlot(results, stem + "-delta-residual.png");
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    // x = log2 K; K = inf is drawn one octave past the largest finite K.
    private static double X(ScalingResult r, double infX) => r.K.Steps is int k ? Math.Log2(k) : infX;

    private static void LossPlot(IReadOnlyList<ScalingResult> results, string path)
    {
        var plot = new ScottPlot.Plot();
        double infX = results.Where(r => !r.K.IsInfinite).Select(r => X(r, 0)).DefaultIfEmpty(0).Max() + 1;
        foreach (var group in results.GroupBy(r => r.Checkpoint))
        {
            var points = group.ToList();
            if (points.Count == 1 && group.First().Family == ModelFamily.Transformer)
            {
                var line = plot.Add.HorizontalLine(points[0].LossNatsPerToken);
                line.LegendText = $"{group.Key} (transformer, one pass)";
                line.LinePattern = ScottPlot.LinePattern.Dashed;
                continue;
            }
            var scatter = plot.Add.Scatter(points.Select(r => X(r, infX)).ToArray(), points.Select(r => r.LossNatsPerToken).ToArray());
            scatter.LegendText = group.Key;
        }
        plot.Title("Held-out loss vs refinement depth K");
        plot.XLabel("log2 K (last point: K = inf, adaptive)");
        plot.YLabel("cross-entropy (nats/token)");
        plot.ShowLegend();
        plot.SavePng(path, 900, 560);
    }

    private static void DeltaResidualPlot(IReadOnlyList<ScalingResult> results, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var group in results.Where(r => !r.K.IsInfinite && r.Family != ModelFamily.Transformer).GroupBy(r => r.Checkpoint))
        {
            double[] xs = group.Select(r => X(r, 0)).ToArray();
            var delta = plot.Add.Scatter(xs, group.Select(r => Math.Log10(Math.Max(r.MeanDelta, 1e-12))).ToArray());
            delta.LegendText = $"{group.Key}: delta";
            var residual = plot.Add.Scatter(xs, group.Select(r => Math.Log10(Math.Max(r.MeanResidual, 1e-12))).ToArray());
            residual.LegendText = $"{group.Key}: residual";
            residual.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.Title("Step size (delta) vs distance from a fixed point (residual)");
        plot.XLabel("log2 K");
        plot.YLabel("log10 of mean norm per position");
        plot.ShowLegend();
        plot.SavePng(path, 900, 560);
    }
}
