namespace Isrm.Tests.Model.Runtime;

/// <summary>
/// A convolution gives an instance the same result alone and in a batch. On this project's AMD EPYC machines
/// libtorch's oneDNN AVX/AVX-512 convolutions did not (up to 0.9 apart, and now and then NaN); <see cref="OneDnnGuard"/>
/// keeps oneDNN to SSE4.1, and these tests would fail without it.
/// </summary>
public sealed class ConvolutionCorrectnessTests
{
    [Fact]
    public void The_guard_limits_onednn_before_the_first_convolution()
    {
        Assert.NotNull(OneDnnGuard.Isa);
        Assert.Equal(OneDnnGuard.Isa, Environment.GetEnvironmentVariable(OneDnnGuard.Variable) ?? OneDnnGuard.Isa);
    }

    [Theory]
    [InlineData(35, 32, 19)]
    [InlineData(32, 32, 43)]
    [InlineData(3, 32, 27)]
    public void A_3x3_convolution_of_one_instance_is_the_same_alone_and_in_a_batch(int input, int output, int side)
    {
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        var generator = new torch.Generator(7, CPU);
        Tensor batch = randn(new long[] { 4, input, side, side }, generator: generator), weight = randn(new long[] { output, input, 3, 3 }, generator: generator) * 0.1;
        Tensor together = nn.functional.conv2d(batch, weight, padding: [1, 1]);
        for (int i = 0; i < 4; i++)
        {
            Tensor alone = nn.functional.conv2d(batch[i].unsqueeze(0), weight, padding: [1, 1])[0];
            float gap = (alone - together[i]).abs().max().item<float>();
            Assert.True(gap < 1e-4f, $"instance {i}: alone and batched differ by {gap}");
        }
    }

    [Fact]
    public void The_shipped_maze_network_solves_the_same_mazes_in_a_batch_as_one_by_one()
    {
        using LoadedPuzzleCheckpoint loaded = PuzzleCheckpoint.Load(Repository.Combine("checkpoints", "mazes-dt-recall"));
        List<Puzzle> mazes = new PuzzleSource(MazesTask.Instance, [9]).Instances(6, 5).ToList();
        var batched = PuzzleEvaluator.Evaluate(loaded.Network, mazes, [32], new PuzzleSolveOptions(), batch: 6).Single();
        var single = PuzzleEvaluator.Evaluate(loaded.Network, mazes, [32], new PuzzleSolveOptions(), batch: 1).Single();
        Assert.Equal((single.Solved, single.PositionAccuracy), (batched.Solved, batched.PositionAccuracy));
        Assert.Equal(6, batched.Solved);   // 9×9 is its training size (measured 100 % there, reports/reasoning.md)
    }
}
