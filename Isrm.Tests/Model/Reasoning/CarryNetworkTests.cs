namespace Isrm.Tests.Model.Reasoning;

/// <summary>The carry network for prefix sums: reads only the previous position, settles one position per step, and learns to extrapolate.</summary>
[Collection(SeededTrainingCollection.Name)]
public class CarryNetworkTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"isrm-carry-{Guid.NewGuid():N}");

    private static PuzzleNetConfig Config(int width = 8) => new() { Task = "prefix-sums", Architecture = PuzzleArchitectures.Carry, Width = width, Blocks = 1 };

    private static Tensor Bits(params byte[][] strings) => PuzzleTensors.Build(strings.Select(PrefixSumsTask.FromBits).ToList()).X;

    [Fact]
    public void A_step_reads_the_previous_positions_state_and_its_own_bit_never_its_own_state()
    {
        manual_seed(3);
        using var net = new CarryNetwork(Config());
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor x = Bits([1, 0, 1, 1, 0, 1]);
        Tensor y = randn(1, 8, 6);
        Tensor next = net.Step(x, y);
        Tensor ownChanged = y.clone();
        ownChanged[.., .., 3] = randn(1, 8);                         // position 3's own state
        Tensor after = net.Step(x, ownChanged);
        Assert.True(after[.., .., ..4].allclose(next[.., .., ..4]));     // positions 0–3 unchanged, 3 included
        Assert.False(after[.., .., 4].allclose(next[.., .., 4]));        // position 4 reads position 3
        Assert.True(after[.., .., 5..].allclose(next[.., .., 5..]));
    }

    [Fact]
    public void After_K_steps_the_first_K_positions_no_longer_depend_on_the_start_and_no_position_sees_later_bits()
    {
        manual_seed(4);
        using var net = new CarryNetwork(Config());
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor x = Bits([0, 1, 1, 0, 1, 0, 0, 1]);
        Tensor a = net.InitialState(x), b = randn_like(a);
        for (int k = 1; k <= 8; k++)
        {
            a = net.Step(x, a);
            b = net.Step(x, b);
            Assert.True(a[.., .., ..k].allclose(b[.., .., ..k], rtol: 0, atol: 0), $"the first {k} positions after {k} steps");
            if (k < 8) Assert.False(a[.., .., k..].allclose(b[.., .., k..]), $"later positions after {k} steps still depend on the start");
        }
        Tensor flipped = Bits([0, 1, 1, 0, 1, 0, 0, 0]);                  // only the last bit differs
        Tensor c = net.InitialState(flipped);
        for (int k = 0; k < 8; k++) c = net.Step(flipped, c);
        Assert.True(a[.., .., ..7].allclose(c[.., .., ..7], rtol: 0, atol: 0));
    }

    [Fact]
    public void Trained_briefly_on_strings_of_at_most_8_bits_it_solves_24_bits_by_thinking_longer()
    {
        string dir = Path.Combine(_root, "carry");
        var options = new PuzzleTrainingOptions { Out = dir, Sizes = [.. Enumerable.Range(1, 8)], Steps = 500, Batch = 64, MaxIterations = 12, LearningRate = 3e-3, WarmupSteps = 10, SaveEvery = 500, Seed = 5 };
        using (var trainer = PuzzleTrainer.Start(Config(16), options, "test"))
            Assert.Equal(Isrm.Model.Training.TrainingOutcome.Completed, trainer.Run(_ => { }, CancellationToken.None));
        using LoadedPuzzleCheckpoint loaded = PuzzleCheckpoint.Load(dir);
        Assert.IsType<CarryNetwork>(loaded.Network);
        List<Puzzle> strings = new PuzzleSource(PrefixSumsTask.Instance, [24], []).Instances(40, 9).ToList();
        List<PuzzleResult> results = PuzzleEvaluator.Evaluate(loaded.Network, strings, [8, 24, 48, null], new PuzzleSolveOptions { K = RefinementDepth.Infinite.Capped(100) });
        double At(string k) => results.Single(r => r.K == k).Accuracy;
        Assert.Equal(0, At("8"));                   // the wavefront has not reached the end of a 24-bit string
        Assert.True(At("24") >= 0.95, $"K = 24: {At("24"):P0}");
        Assert.Equal(At("24"), At("48"));          // settled answers stay settled
        Assert.Equal(At("24"), At("inf"));
    }

    [Fact]
    public void Carry_is_for_strings_only()
    {
        var e = Assert.Throws<PuzzleFormatException>(() => new PuzzleNetConfig { Task = "mazes", Architecture = PuzzleArchitectures.Carry }.Validate());
        Assert.Contains("reads the previous position of a string: it does not apply to mazes", e.Message);
        e = Assert.Throws<PuzzleFormatException>(() => new PuzzleNetConfig { Architecture = "lstm" }.Validate());
        Assert.Contains("unknown puzzle architecture 'lstm'", e.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
