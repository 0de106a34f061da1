namespace Isrm.Tests.Research;

/// <summary><c>isrm-research stop-rules</c>: every candidate K = ∞ rule scored on the same trajectories of a shipped puzzle checkpoint.</summary>
public sealed class StopRulesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("isrm-stop-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Rules_watch_the_same_runs_and_the_answer_alone_never_stops_later_than_answer_and_probabilities()
    {
        using LoadedPuzzleCheckpoint carry = PuzzleCheckpoint.Load(Repository.Combine("checkpoints", "prefix-sums-carry"));
        List<Puzzle> puzzles = new PuzzleSource(PrefixSumsTask.Instance, [16]).Instances(6, seed: 3).ToList();
        var rules = new List<StopRules.Rule> { new(5, 1e-3f), new(5, float.PositiveInfinity), new(20, 1e-3f), new(20, float.PositiveInfinity) };

        List<StopRules.Instance> measured = StopRules.Run(carry.Network, puzzles, cap: 64, rules, batch: 4);

        Assert.Equal(6, measured.Count);
        Assert.All(measured, m =>
        {
            Assert.Equal(7, m.SolvedAtPowers.Length);                       // K = 1, 2, 4, …, 64
            Assert.True(m.SolvedAtPowers[^1], "the carry network solves 16 bits by K = 64");
            for (int r = 0; r < rules.Count; r++)
                Assert.InRange(m.StopStep[r], rules[r].Patience + 1, 64);   // the first step only sets what later steps compare with
            Assert.True(m.StopStep[1] <= m.StopStep[0] && m.StopStep[3] <= m.StopStep[2], "a looser rule stopped later");
            Assert.True(m.StopStep[0] < m.StopStep[2], "a longer patience stopped as early");
            Assert.True(m.SolvedAtStop[2] && m.SolvedAtStop[3], "20 quiet steps stopped a 16-bit sum before it was solved");
        });
    }

    [Fact]
    public void The_command_writes_rows_whose_table_marks_rules_within_a_point_of_the_best_fixed_k()
    {
        string bits = Path.Combine(_root, "bits.txt"), json = Path.Combine(_root, "rules.json");
        var data = IsrmProcess.Run("data", "task", "prefix-sums", "--sizes", "16,24", "--count", "4", "--seed", "9", "--out", bits);
        Assert.True(data.ExitCode == 0, data.Err);
        var (code, _, err) = BenchCommandTests.RunResearch("stop-rules", "--checkpoint", Repository.Combine("checkpoints", "prefix-sums-carry"),
            "--input", bits, "--cap", "64", "--patience", "5,20", "--tolerance", "0.001,inf", "--json", json);
        Assert.True(code == 0, err);
        Assert.Contains("bits.txt size 16: best fixed K solves 4/4", err);

        IReadOnlyList<StopRulesCommand.Row> rows = StopRulesCommand.Read(json);
        Assert.Equal([16, 24], rows.Select(r => r.Size));
        Assert.All(rows, r =>
        {
            Assert.Equal((4, 64, 4), (r.Instances, r.Cap, r.Rules.Count));
            Assert.Equal([1, 2, 4, 8, 16, 32, 64], r.Ks);
            Assert.Equal(float.PositiveInfinity, r.Rules[1].Tolerance);
            Assert.All(r.Rules, rule => Assert.InRange(rule.MeanStop, rule.Patience + 1, 64));
        });

        var table = BenchCommandTests.RunResearch("stop-rules", "table", "--results", json);
        Assert.Equal(0, table.ExitCode);
        Assert.Equal(StopRulesCommand.Markdown(rows), table.Out);
        Assert.Contains("P = 20, tol ∞", table.Out);
        Assert.Contains("✓", table.Out);
    }

    [Fact]
    public void The_reports_table_is_what_the_table_command_writes_from_the_committed_results()
    {
        string folder = Repository.Combine("reports", "stop-rules");
        var rows = new[] { "mazes-13", "mazes-21", "mazes-33", "prefix-sums" }
            .SelectMany(f => StopRulesCommand.Read(Path.Combine(folder, f + ".json"))).ToList();
        Assert.Equal(9, rows.Count);   // 2 generator sets × 3 maze sizes, 3 string lengths
        Assert.All(rows, r => Assert.Equal(50, r.Instances));
        string report = File.ReadAllText(Repository.Combine("reports", "stop-rules.md"));
        Assert.Contains(StopRulesCommand.Markdown(rows), report);

        // the rule the product uses is the one the report chose, and it is within a point of the best fixed K on every row
        Assert.All(rows, r =>
        {
            var chosen = r.Rules.Single(rule => rule.Patience == StableAnswerRule.PuzzlePatience && float.IsPositiveInfinity(rule.Tolerance));
            Assert.True(chosen.Solved >= r.BestFixed.Solved - 0.01 * r.Instances, $"{r.Input} size {r.Size}: {chosen.Solved} vs {r.BestFixed.Solved}");
        });
    }

    [Fact]
    public void A_bad_candidate_list_gets_one_sentence()
    {
        var (code, _, err) = BenchCommandTests.RunResearch("stop-rules", "--checkpoint", Repository.Combine("checkpoints", "prefix-sums-carry"),
            "--input", Repository.Combine("README.md"), "--tolerance", "0.001,lots");
        Assert.Equal(1, code);
        Assert.Contains("--tolerance has 'lots'", err);
    }
}
