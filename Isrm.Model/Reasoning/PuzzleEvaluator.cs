namespace Isrm.Model.Reasoning;

/// <summary>One row of <c>isrm solve</c>: a size and a K (a number or "inf").</summary>
public sealed record PuzzleResult(int Size, string K, int Instances, int Solved, double Accuracy, double PositionAccuracy, double? MeanK);

/// <summary>
/// Accuracy against K: one trajectory per batch of same-size instances, read at every requested K on the way (so
/// K = 1, 2, 4, … costs one run to the largest), and for K = ∞ at each instance's own stop step
/// (<see cref="StableAnswerRule"/>; instances that never settle are read at the cap). Solved = every cell right;
/// position accuracy = the fraction of all cells right. A run that ends before a K gives its last answer at that K: the
/// engine applies a non-recurrent network (<see cref="PuzzleNetwork.Recurrent"/>) once, and that answer counts for every
/// K (∞ with mean K 1).
/// </summary>
public static class PuzzleEvaluator
{
    public static List<PuzzleResult> Evaluate(
        PuzzleNetwork network, IReadOnlyList<Puzzle> puzzles, IReadOnlyList<int?> ks, PuzzleSolveOptions infinity,
        int batch = 50, Action<string>? progress = null, CancellationToken cancellation = default)
    {
        if (ks.Count == 0) throw new PuzzleFormatException("give at least one K.");
        infinity.Validate();
        var results = new List<PuzzleResult>();
        foreach (var group in puzzles.GroupBy(p => (p.Task, p.Height, p.Width)).OrderBy(g => g.Key.Height * g.Key.Width))
        {
            List<Puzzle> items = group.ToList();
            var tally = ks.Distinct().ToDictionary(k => k?.ToString() ?? "inf", _ => new Tally());
            for (int start = 0; start < items.Count; start += batch)
            {
                List<Puzzle> chunk = items.GetRange(start, Math.Min(batch, items.Count - start));
                var clock = System.Diagnostics.Stopwatch.StartNew();
                RunBatch(network, chunk, ks, infinity, tally, cancellation);
                progress?.Invoke($"size {items[0].Size}: {start + chunk.Count}/{items.Count} instances ({clock.Elapsed.TotalSeconds:F1} s for {chunk.Count})");
            }
            foreach (var (k, t) in tally.OrderBy(kv => kv.Key == "inf" ? int.MaxValue : int.Parse(kv.Key)))
                results.Add(new PuzzleResult(items[0].Size, k, t.Instances, t.Solved, (double)t.Solved / t.Instances,
                    t.CorrectCells / t.Cells, k == "inf" ? t.StepSum / t.Instances : null));
        }
        return results;
    }

    private sealed class Tally
    {
        public int Instances, Solved;
        public double CorrectCells, Cells, StepSum;
    }

    private static void RunBatch(PuzzleNetwork network, List<Puzzle> chunk, IReadOnlyList<int?> ks, PuzzleSolveOptions infinity,
        Dictionary<string, Tally> tally, CancellationToken cancellation)
    {
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        var (x, target) = PuzzleTensors.Build(chunk, network.Device);
        bool wantInfinity = ks.Any(k => k is null);
        int maxFixed = ks.Where(k => k is not null).Select(k => k!.Value).DefaultIfEmpty(0).Max();
        int cap = Math.Max(maxFixed, wantInfinity ? infinity.K.Cap : 0);
        using var rule = new StableAnswerRule(chunk.Count, infinity.Patience, infinity.Tolerance);
        var options = new RefinementOptions { K = (wantInfinity ? RefinementDepth.Infinite : RefinementDepth.Of(maxFixed)).Capped(cap), EveryStepLogits = wantInfinity };
        var fixedSteps = ks.Where(k => k is not null).Select(k => k!.Value).ToHashSet();
        foreach (RefinementStep step in Refiner.Run(network, x, options, cancellation: cancellation, converged: s => rule.AllStopped && s.Step >= maxFixed))
        {
            IReadOnlyList<int> stopped = [];
            if (wantInfinity) stopped = rule.Observe(step.Step, step.LogProbs!);
            // a run that ends before a K (a single-pass network's one step) gives its last answer at that K
            List<int> fixedHere = fixedSteps.Where(k => k == step.Step || (step.IsLast && k > step.Step)).ToList();
            bool atFixed = fixedHere.Count > 0;
            int?[] unstopped = step.IsLast && wantInfinity ? rule.StoppedAt.Select((s, i) => s is null ? (int?)i : null).ToArray() : [];
            if (!atFixed && stopped.Count == 0 && unstopped.All(i => i is null)) continue;
            using var read = NewDisposeScope();
            Tensor logProbs = step.LogProbs ?? network.Logits(step.Y);
            Tensor correct = logProbs.argmax(-1).eq(target);                                   // (B, N)
            long[] right = correct.sum(1).data<long>().ToArray();
            int cells = chunk[0].CellCount;
            foreach (int k in fixedHere) Add(tally[k.ToString()], right, cells, Enumerable.Range(0, chunk.Count), step.Step);
            if (wantInfinity)
                Add(tally["inf"], right, cells, stopped.Concat(unstopped.Where(i => i is not null).Select(i => i!.Value)), step.Step);
        }
    }

    private static void Add(Tally t, long[] right, int cells, IEnumerable<int> instances, int step)
    {
        foreach (int i in instances)
        {
            t.Instances++;
            if (right[i] == cells) t.Solved++;
            t.CorrectCells += right[i];
            t.Cells += cells;
            t.StepSum += step;
        }
    }

    /// <summary>"1,2,4,…,1024,inf": numbers, "inf" (or ∞) and "…" / "..." for doubling up to the next number.</summary>
    public static List<int?> ParseKs(string text, int cap)
    {
        var ks = new List<int?>();
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (part is "inf" or "∞" or "infinity") { ks.Add(null); continue; }
            if (part is "…" or "...")
            {
                if (ks.LastOrDefault() is not int from || i + 1 >= parts.Length || !int.TryParse(parts[i + 1], out int to) || to <= from)
                    throw new PuzzleFormatException("'…' in --k must sit between two numbers, as in 1,2,4,…,1024.");
                for (long k = (long)from * 2; k < to; k *= 2) ks.Add((int)k);
                continue;
            }
            if (!int.TryParse(part, out int value) || value < 1)
                throw new PuzzleFormatException($"--k has '{part}': use positive whole numbers, '…' or inf.");
            if (value > cap) throw new PuzzleFormatException($"K = {value} exceeds the cap of {cap} (raise --cap).");
            ks.Add(value);
        }
        if (ks.Count == 0) throw new PuzzleFormatException("--k is empty.");
        return ks.Distinct().ToList();
    }
}
