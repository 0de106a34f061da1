using System.Globalization;
using Isrm.Model.Reasoning;

namespace Isrm.Cli.Commands;

/// <summary>The PNG of <c>isrm solve --plot</c>: exact-match accuracy against log2 K, one curve per size.</summary>
internal static class SolvePlot
{
    public static void Write(IReadOnlyList<PuzzleResult> results, string title, string path)
    {
        var plot = new ScottPlot.Plot();
        double X(string k, double infX) => k == "inf" ? infX : Math.Log2(double.Parse(k, CultureInfo.InvariantCulture));
        double infX = results.Where(r => r.K != "inf").Select(r => X(r.K, 0)).DefaultIfEmpty(0).Max() + 1;
        foreach (var size in results.GroupBy(r => r.Size))
        {
            var finite = size.Where(r => r.K != "inf").ToList();
            var line = plot.Add.Scatter(finite.Select(r => X(r.K, 0)).ToArray(), finite.Select(r => 100 * r.Accuracy).ToArray());
            line.LegendText = $"size {size.Key} ({size.First().Instances} instances)";
            if (size.FirstOrDefault(r => r.K == "inf") is PuzzleResult inf)
            {
                var marker = plot.Add.Marker(infX, 100 * inf.Accuracy);
                marker.Color = line.Color;
                marker.Size = 10;
            }
        }
        plot.Title(title);
        plot.XLabel("log2 K (lone markers: K = inf, stop rule)");
        plot.YLabel("solved (exact match), %");
        plot.Axes.SetLimitsY(-2, 102);
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        plot.SavePng(path, 900, 560);
    }
}
