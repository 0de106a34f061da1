namespace Isrm.Research.Probes;

/// <summary>
/// Candidate K = ∞ stop rules measured on one trajectory per instance: each batch is refined to the cap once, every
/// candidate <see cref="StableAnswerRule"/> (patience, tolerance) watches the same steps, and each instance is scored
/// at the step where each rule would have stopped it (at the cap when it never settles) and at every power-of-two K.
/// So the rules are compared on the same runs, and with the fixed K's that the K = ∞ answer should match.
/// </summary>
public static class StopRules
{
    /// <summary>A candidate rule: stop after <paramref name="Patience"/> steps with no answer change and no probability moving by <paramref name="Tolerance"/> or more (∞: the answer alone).</summary>
    public sealed record Rule(int Patience, float Tolerance);

    /// <summary>One instance: solved at each power-of-two K (1, 2, 4, … ≤ cap) and, per rule, the stop step and whether the answer there was right.</summary>
    public sealed record Instance(bool[] SolvedAtPowers, int[] StopStep, bool[] SolvedAtStop);

    public static List<Instance> Run(PuzzleNetwork network, IReadOnlyList<Puzzle> puzzles, int cap, IReadOnlyList<Rule> rules, int batch = 50,
        Action<string>? progress = null)
    {
        var all = new List<Instance>();
        for (int start = 0; start < puzzles.Count; start += batch)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            all.AddRange(RunBatch(network, puzzles.Skip(start).Take(batch).ToList(), cap, rules));
            progress?.Invoke($"{all.Count}/{puzzles.Count} instances ({clock.Elapsed.TotalSeconds:F0} s for the last {Math.Min(batch, puzzles.Count - start)})");
        }
        return all;
    }

    private static List<Instance> RunBatch(PuzzleNetwork network, List<Puzzle> chunk, int cap, IReadOnlyList<Rule> rules)
    {
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        var (x, target) = PuzzleTensors.Build(chunk, network.Device);
        int n = chunk.Count, cells = chunk[0].CellCount;
        var watchers = rules.Select(r => new StableAnswerRule(n, r.Patience, r.Tolerance)).ToList();
        var stopSolved = rules.Select(_ => new bool[n]).ToArray();
        var powers = new List<bool[]>();
        bool[] solved = new bool[n];
        try
        {
            var options = new RefinementOptions { K = cap, EveryStepLogits = true, StepNorms = false, StepHalt = false };
            foreach (RefinementStep step in Refiner.Run(network, x, options))
            {
                using var read = NewDisposeScope();
                long[] right = step.LogProbs!.argmax(-1).eq(target).sum(1).data<long>().ToArray();
                for (int i = 0; i < n; i++) solved[i] = right[i] == cells;
                if ((step.Step & (step.Step - 1)) == 0) powers.Add((bool[])solved.Clone());
                for (int r = 0; r < watchers.Count; r++)
                {
                    foreach (int i in watchers[r].Observe(step.Step, step.LogProbs!)) stopSolved[r][i] = solved[i];
                    if (step.IsLast)
                        for (int i = 0; i < n; i++)
                            if (watchers[r].StoppedAt[i] is null) stopSolved[r][i] = solved[i];   // never settled: read at the cap
                }
            }
            return Enumerable.Range(0, n).Select(i => new Instance(
                powers.Select(p => p[i]).ToArray(),
                watchers.Select(w => w.StoppedAt[i] ?? cap).ToArray(),
                stopSolved.Select(s => s[i]).ToArray())).ToList();
        }
        finally
        {
            watchers.ForEach(w => w.Dispose());
        }
    }
}
