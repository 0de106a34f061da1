namespace Isrm.Cli.Commands;

/// <summary>
/// <c>isrm solve table</c>: the markdown table of saved <c>isrm solve --json</c> results — per size, exact-match
/// accuracy at every K with n and a 95 % Wilson interval, the best fixed K (K*), and whether 2K*, 4K* and K = ∞ stay
/// within a tolerance of the best (no overthinking). Reports paste it as written; a test can regenerate it.
/// </summary>
internal static class SolveTable
{
    /// <summary>One results file as <c>isrm solve --json</c> writes it.</summary>
    internal sealed record Saved(string Task, string? Checkpoint, List<PuzzleResult> Results);

    public static Command Create()
    {
        var results = CliOptions.Paths(new Option<string[]>("--results")
        {
            Description = "Results files written by isrm solve --json; several (parts of one measurement) are added up per size and K",
            Required = true, AllowMultipleArgumentsPerToken = true,
        }, PathKind.InputFile);
        var tolerance = CliOptions.Real("--tolerance", "Overthinking check: accuracy at 2K*, 4K* and K = inf must stay within this many points of the best", 0, 100, 2);
        var output = CliOptions.OptionalPath("--out", "Markdown file to write (an existing one only with --force); default: stdout", PathKind.OutputFile);
        var force = CliOptions.Force("--out");
        var measuredOn = CliOptions.Text("--checkpoint", "The checkpoint the results were measured on, for a results file that does not record it (files written before it did)");
        var command = CliCommands.Create("table", "Write saved solve results as a markdown table: accuracy per size and K with n and 95 % intervals, K* and overthinking",
            results, tolerance, output, force, measuredOn);
        command.SetAction(parse => UserError.Guard(() =>
        {
            string[] files = parse.GetValue(results)!;
            Saved saved = Merge(files.Select(f => (f, Read(f))).ToList());
            if (parse.GetValue(measuredOn) is string name)
            {
                if (saved.Checkpoint is string recorded && recorded != name)
                    throw new ArgumentException($"The results record that they were measured on '{recorded}', not '{name}'.");
                saved = saved with { Checkpoint = name };
            }
            string markdown = Markdown(saved, files, parse.GetValue(tolerance), parse.GetValue(measuredOn));
            if (parse.GetValue(output) is string path)
            {
                OutputGuard.File(path, parse.GetValue(force), "--out");
                JsonOutput.WriteFile(path, markdown);
            }
            else Console.Out.Write(markdown);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Several results files of one measurement (its parts) as one: the same task and checkpoint; per size and K the
    /// instances and solved add up, and position accuracy and mean K are averaged over instances.
    /// </summary>
    internal static Saved Merge(IReadOnlyList<(string File, Saved Saved)> parts)
    {
        if (parts.Count == 1) return parts[0].Saved;
        Saved first = parts[0].Saved;
        foreach (var (file, saved) in parts.Skip(1))
        {
            if (saved.Task != first.Task) throw new ArgumentException($"{file} holds {saved.Task}, {parts[0].File} {first.Task}: one table is one task.");
            if (saved.Checkpoint != first.Checkpoint) throw new ArgumentException($"{file} was measured on '{saved.Checkpoint}', {parts[0].File} on '{first.Checkpoint}': one table is one checkpoint.");
        }
        var merged = parts.SelectMany(p => p.Saved.Results).GroupBy(r => (r.Size, r.K)).Select(g =>
        {
            int n = g.Sum(r => r.Instances), solved = g.Sum(r => r.Solved);
            double? meanK = g.All(r => r.MeanK is not null) ? g.Sum(r => r.MeanK!.Value * r.Instances) / n : null;
            return new PuzzleResult(g.Key.Size, g.Key.K, n, solved, (double)solved / n, g.Sum(r => r.PositionAccuracy * r.Instances) / n, meanK);
        }).ToList();
        return first with { Results = merged };
    }

    internal static Saved Read(string file)
    {
        try
        {
            Saved? saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(file), JsonOutput.Options);
            return saved?.Results is { Count: > 0 } ? saved : throw new JsonException("no results");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new ArgumentException($"'{file}' is not an isrm solve results file.");
        }
    }

    /// <summary>The 95 % Wilson score interval of <paramref name="solved"/> out of <paramref name="n"/>, in [0, 1].</summary>
    internal static (double Low, double High) Wilson(int solved, int n)
    {
        if (n == 0) return (0, 1);
        const double z = 1.959963984540054;
        double p = (double)solved / n, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    internal static string Markdown(Saved saved, IReadOnlyList<string> files, double tolerance, string? label = null)
    {
        static string Pct(double x) => (100 * x).ToString("0.#", CultureInfo.InvariantCulture);
        var ks = saved.Results.Select(r => r.K).Distinct().ToList();
        var md = new StringBuilder();
        md.AppendLine($"Exact-match accuracy, % (95 % Wilson interval), of `{saved.Checkpoint ?? "the checkpoint"}` on `{string.Join("` + `", files.Select(Path.GetFileName))}` ({saved.Task}); n instances per size.");
        md.AppendLine();
        md.AppendLine("| size | n | " + string.Join(" | ", ks.Select(k => k == "inf" ? "K = ∞ (mean K)" : $"K = {k}")) + " | K* | 2K*, 4K*, ∞ within " + Pct(tolerance / 100) + " points |");
        md.AppendLine("| --- | --- | " + string.Join(" | ", ks.Select(_ => "---")) + " | --- | --- |");
        foreach (var group in saved.Results.GroupBy(r => r.Size).OrderBy(g => g.Key))
        {
            var row = group.ToDictionary(r => r.K);
            int n = group.First().Instances;
            var cells = ks.Select(k => row.TryGetValue(k, out PuzzleResult? r)
                ? $"{Pct(r.Accuracy)} ({Pct(Wilson(r.Solved, r.Instances).Low)}–{Pct(Wilson(r.Solved, r.Instances).High)})" + (r.MeanK is double m ? $" ({m.ToString("0.#", CultureInfo.InvariantCulture)})" : "")
                : "");
            var fixedKs = group.Where(r => r.K != "inf").Select(r => (K: int.Parse(r.K, CultureInfo.InvariantCulture), r.Accuracy)).OrderBy(x => x.K).ToList();
            string best = "", check = "";
            if (fixedKs.Count > 0)
            {
                double top = fixedKs.Max(x => x.Accuracy);
                int kStar = fixedKs.First(x => x.Accuracy == top).K;
                best = kStar.ToString(CultureInfo.InvariantCulture);
                var later = new List<string>();
                foreach (int multiple in new[] { 2, 4 })
                    later.Add(fixedKs.FirstOrDefault(x => x.K == multiple * kStar) is { K: > 0 } at
                        ? (top - at.Accuracy) * 100 <= tolerance + 1e-9 ? "yes" : $"no ({Pct(at.Accuracy)})"
                        : "not measured");
                later.Add(row.TryGetValue("inf", out PuzzleResult? inf) ? ((top - inf.Accuracy) * 100 <= tolerance + 1e-9 ? "yes" : $"no ({Pct(inf.Accuracy)})") : "not measured");
                check = string.Join(", ", later);
            }
            md.AppendLine($"| {group.Key} | {n} | " + string.Join(" | ", cells) + $" | {best} | {check} |");
        }
        md.AppendLine();
        md.AppendLine($"Written by `isrm solve table --results {string.Join(' ', files.Select(f => f.Replace('\\', '/')))}{(label is null ? "" : $" --checkpoint {label}")}`; K* is the smallest fixed K with the best accuracy, chosen on these same instances.");
        return md.ToString();
    }
}
