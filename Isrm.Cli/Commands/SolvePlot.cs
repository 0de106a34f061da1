namespace Isrm.Cli.Commands;

/// <summary>The PNG of <c>isrm solve --plot</c>: exact-match accuracy against log2 K, one curve per size.</summary>
internal static class SolvePlot
{
    /// <summary>One curve per size of one results list.</summary>
    public static void Write(IReadOnlyList<PuzzleResult> results, string title, string path) =>
        Write(results.GroupBy(r => r.Size).Select(g => ($"size {g.Key} ({g.First().Instances} instances)", g.ToList())).ToList(), title, path);

    /// <summary>One curve per labelled series (e.g. one per results file at one size).</summary>
    public static void Write(IReadOnlyList<(string Label, List<PuzzleResult> Points)> series, string title, string path)
    {
        var results = series.SelectMany(s => s.Points).ToList();
        var plot = new ScottPlot.Plot();
        double X(string k, double infX) => k == "inf" ? infX : Math.Log2(double.Parse(k, CultureInfo.InvariantCulture));
        double infX = results.Where(r => r.K != "inf").Select(r => X(r.K, 0)).DefaultIfEmpty(0).Max() + 1;
        foreach (var (label, points) in series)
        {
            var finite = points.Where(r => r.K != "inf").ToList();
            var line = plot.Add.Scatter(finite.Select(r => X(r.K, 0)).ToArray(), finite.Select(r => 100 * r.Accuracy).ToArray());
            line.LegendText = label;
            if (points.FirstOrDefault(r => r.K == "inf") is PuzzleResult inf)
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
