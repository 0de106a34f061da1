namespace Isrm.Tests.Research;

/// <summary>The path-independence probe on maps whose answers are known: a contraction, a flip (period 2) and a drift.</summary>
public sealed class PathIndependenceTests
{
    /// <summary>y ← f(x, y) on states (B, N, V) that are their own logits.</summary>
    private sealed class Map(Func<Tensor, Tensor, Tensor> f) : IStepNetwork
    {
        public bool IsSinglePass => false;
        public AndersonMixer? NewMixer() => null;
        public Tensor Inject(Tensor x, StepPlace place) => x;
        public (Tensor Y, Tensor Z) InitialState(Tensor x, StepPlace place, ulong? seed) => (x.clone(), empty(0));
        public StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, StepPlace place, bool norms) => new(f(x, y), empty(0), 1f, null, null);
        public Tensor Logits(Tensor y) => y;
        public Tensor HaltProbability(Tensor y) => zeros(y.shape[0], y.shape[1]);
    }

    private static readonly Tensor X = tensor(new float[] { 1, -2, 0.5f, 3, -1, 2, 0.2f, -0.3f, 1, 1.5f, -2, 0.1f }, new long[] { 2, 3, 2 });

    [Fact]
    public void A_contraction_ends_every_start_at_the_same_fixed_point()
    {
        var results = PathIndependence.Run(new Map((x, y) => 0.5f * y + x), X, l => l.argmax(-1), new PathIndependence.Settings(Starts: 4, Steps: 80));

        Assert.Equal(2, results.Count);
        Assert.All(results, r =>
        {
            Assert.True(r.SameAnswer);
            Assert.True(r.SameState(1e-3), $"distance {r.MaxStateDistance}");
            Assert.All(r.Endings, e => Assert.Equal(RunEnding.FixedPoint, e));
        });
    }

    [Fact]
    public void A_flip_is_found_as_a_cycle_of_period_two_whose_final_states_depend_on_the_start()
    {
        var results = PathIndependence.Run(new Map((x, y) => -y), X, l => l.argmax(-1), new PathIndependence.Settings(Starts: 3, Steps: 20, Noise: 2f));

        Assert.All(results, r =>
        {
            Assert.All(r.Endings, e => Assert.Equal(RunEnding.Cycle, e));
            Assert.All(r.Periods, p => Assert.Equal(2, p));
            Assert.False(r.SameState(1e-3));   // each run keeps its own start's state, flipped
        });
    }

    [Fact]
    public void A_drift_is_still_moving_and_too_few_steps_are_refused()
    {
        var results = PathIndependence.Run(new Map((x, y) => y + 1), X, l => l.argmax(-1), new PathIndependence.Settings(Starts: 2, Steps: 20));
        Assert.All(results, r => Assert.All(r.Endings, e => Assert.Equal(RunEnding.Moving, e)));

        var e = Assert.Throws<ArgumentException>(() => PathIndependence.Run(new Map((x, y) => y), X, l => l, new PathIndependence.Settings(Steps: 5)));
        Assert.Contains("at least 9 steps", e.Message);
    }
}

/// <summary><c>isrm-research path-independence</c> on shipped checkpoints: rows, JSON, the table, and one sentence for bad input.</summary>
public sealed class PathIndependenceCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("isrm-pi-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void It_measures_a_puzzle_checkpoint_and_says_a_transformer_has_no_path()
    {
        string json = Path.Combine(_root, "pi.json");
        var (code, _, err) = BenchCommandTests.RunResearch("path-independence",
            "--checkpoint", Repository.Combine("checkpoints", "prefix-sums-carry"), Repository.Combine("checkpoints", "transformer-equal-steps"),
            "--sizes", "16", "--count", "6", "--k", "40", "--starts", "3", "--length", "8",
            "--text", Repository.Combine("reports", "path-independence", "prose.txt"), "--json", json);
        Assert.True(code == 0, err);
        Assert.Contains("prefix-sums-carry prefix-sums size 16: same answer", err);
        Assert.Contains("transformer-equal-steps text size 8: applied once (single pass)", err);

        var rows = Isrm.Research.Commands.PathIndependenceCommand.Read(json);
        Assert.Equal(2, rows.Count);
        var carry = rows[0];
        Assert.Equal((6, 3, 40, false), (carry.Instances, carry.Starts, carry.Steps, carry.SinglePass));
        // the carry network settles: every start ends at the same fixed point (measured at 32 bits too, reports/path-independence.md)
        Assert.Equal((6, 6, 6, 0), (carry.SameAnswer, carry.SameState, carry.AllFixedPoints, carry.AnyCycle));
        Assert.True(carry.SameAnswerLow < 1 && carry.SameAnswerHigh == 1);
        Assert.True(rows[1].SinglePass && rows[1].SameAnswer is null);

        var table = BenchCommandTests.RunResearch("path-independence", "table", "--results", json);
        Assert.Equal(0, table.ExitCode);
        Assert.Equal(Isrm.Research.Commands.PathIndependenceCommand.Markdown(rows), table.Out);
        Assert.Contains("applied once: no path", table.Out);
    }

    [Fact]
    public void A_language_model_without_text_and_a_results_file_of_another_kind_get_one_sentence()
    {
        var (code, _, err) = BenchCommandTests.RunResearch("path-independence",
            "--checkpoint", Repository.Combine("checkpoints", "isrm-default"), "--count", "2", "--k", "10");
        Assert.Equal(1, code);
        Assert.Equal("Checkpoint 'isrm-default' is a language model: give --text FILE, whose windows are its instances.", err.Trim());

        string other = Path.Combine(_root, "other.json");
        File.WriteAllText(other, "{\"task\": \"mazes\", \"results\": []}");
        var table = BenchCommandTests.RunResearch("path-independence", "table", "--results", other);
        Assert.Equal(1, table.ExitCode);
        Assert.Contains("is not a path-independence results file", table.Err);
    }

    [Fact]
    public void The_reports_table_is_what_the_table_command_writes_from_the_committed_results()
    {
        string folder = Repository.Combine("reports", "path-independence");
        string[] files = ["mazes-13", "mazes-13-noise0.1", "mazes-21", "prefix-sums", "addition", "parity", "language-models"];
        var rows = files.SelectMany(f => Isrm.Research.Commands.PathIndependenceCommand.Read(Path.Combine(folder, f + ".json"))).ToList();
        Assert.Equal(14, rows.Count);
        string report = File.ReadAllText(Repository.Combine("reports", "path-independence.md"));
        Assert.Contains(Isrm.Research.Commands.PathIndependenceCommand.Markdown(rows), report);
    }
}
