namespace Isrm.Tests.Model.Reasoning;

/// <summary>The attention architectures: neighbour attention (recurrent, local) and the transformer baseline (applied once).</summary>
[Collection(SeededTrainingCollection.Name)]
public class AttentionNetworkTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"isrm-attn-{Guid.NewGuid():N}");

    private static PuzzleNetConfig Config(string architecture, PuzzleTask task, int blocks = 1, bool causal = false) => new()
    {
        Task = task.Name, Architecture = architecture, Width = 8, Heads = 2, Blocks = blocks, Causal = causal,
    };

    private static Tensor Input(PuzzleTask task, int size, int batch, int seed)
    {
        var source = new PuzzleSource(task, [size], ["kruskal"]);
        return PuzzleTensors.Build(source.Instances(batch, seed).ToList()).X;
    }

    private static float MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [InlineData(PuzzleArchitectures.NeighbourAttention, "mazes", 3, 6)]
    [InlineData(PuzzleArchitectures.NeighbourAttention, "prefix-sums", 5, 17)]
    [InlineData(PuzzleArchitectures.Transformer, "mazes", 3, 6)]
    [InlineData(PuzzleArchitectures.Transformer, "prefix-sums", 5, 17)]
    public void Runs_at_any_size_with_states_channels_first_and_one_logit_pair_per_position(string architecture, string taskName, int small, int large)
    {
        PuzzleTask task = PuzzleTasks.Parse(taskName);
        manual_seed(1);
        using PuzzleNetwork network = PuzzleNetwork.Create(Config(architecture, task, blocks: 2));
        using var inference = no_grad();
        foreach (int size in new[] { small, large })
        {
            Tensor x = Input(task, size, 3, size);
            long cells = task == MazesTask.Instance ? (2 * size + 1) * (2 * size + 1) : size;
            long[] stateShape = task == MazesTask.Instance ? [3, 8, 2 * size + 1, 2 * size + 1] : [3, 8, size];
            Tensor y0 = network.InitialState(x), y1 = network.Step(x, y0);
            Assert.Equal(stateShape, y0.shape);
            Assert.Equal(stateShape, y1.shape);
            Tensor logits = network.Logits(y1);
            Assert.Equal(new long[] { 3, cells, 2 }, logits.shape);
            Assert.True(logits.isfinite().all().item<bool>());
            Assert.Equal(new long[] { 3, cells }, network.Change(y0, y1).shape);
        }
    }

    [Fact]
    public void Neighbour_attention_on_mazes_sees_one_cell_further_per_block_and_no_further()
    {
        manual_seed(2);
        using PuzzleNetwork network = PuzzleNetwork.Create(Config(PuzzleArchitectures.NeighbourAttention, MazesTask.Instance, blocks: 2));
        using var inference = no_grad();
        Tensor x = Input(MazesTask.Instance, 4, 1, 3);                                  // (1, 3, 9, 9)
        Tensor y = network.InitialState(x);
        Tensor changed = x.clone();
        changed[0, 0, 4, 4] = 1 - changed[0, 0, 4, 4];                                 // flip one cell in the middle
        Tensor before = network.Step(x, y), after = network.Step(changed, network.InitialState(changed));
        Tensor moved = (after - before).abs().amax(new long[] { 0, 1 });                // (9, 9)
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 9; j++)
            {
                int distance = Math.Max(Math.Abs(i - 4), Math.Abs(j - 4));
                float m = moved[i, j].item<float>();
                if (distance > 2) Assert.True(m == 0, $"cell ({i}, {j}) at distance {distance} moved by {m}");
                else if (distance == 2) Assert.True(m > 1e-6, $"cell ({i}, {j}) two blocks away did not see the change");
            }
    }

    [Theory]
    [InlineData(PuzzleArchitectures.NeighbourAttention)]
    [InlineData(PuzzleArchitectures.Transformer)]
    public void Causal_prefix_sums_never_let_a_later_bit_change_an_earlier_position(string architecture)
    {
        manual_seed(3);
        using PuzzleNetwork network = PuzzleNetwork.Create(Config(architecture, PrefixSumsTask.Instance, blocks: 2, causal: true));
        using var inference = no_grad();
        Tensor x = Input(PrefixSumsTask.Instance, 12, 2, 4);                            // (2, 2, 12)
        Tensor changed = x.clone();
        changed[.., 1, 8] = 1 - changed[.., 1, 8];                                      // flip bit 8 of both strings
        Tensor Final(Tensor input)
        {
            Tensor? last = null;
            foreach (RefinementStep step in Refiner.Run(network, input, new RefinementOptions { K = 6}))
                if (step.IsLast) last = step.LogProbs!.clone();                         // the step owns its tensors: copy inside the loop
            return last!;
        }
        Tensor before = Final(x), after = Final(changed);                              // (2, 12, 2)
        Assert.Equal(0f, MaxDifference(before.narrow(1, 0, 8), after.narrow(1, 0, 8)));
        Assert.True(MaxDifference(before.narrow(1, 8, 1), after.narrow(1, 8, 1)) > 1e-6, "the flipped bit's own position must see it");
    }

    [Fact]
    public void Neighbour_attention_on_strings_reads_only_the_two_previous_positions_per_block()
    {
        manual_seed(4);
        using PuzzleNetwork network = PuzzleNetwork.Create(Config(PuzzleArchitectures.NeighbourAttention, PrefixSumsTask.Instance, blocks: 1, causal: true));
        using var inference = no_grad();
        Tensor x = Input(PrefixSumsTask.Instance, 12, 1, 5), changed = x.clone();
        changed[0, 1, 3] = 1 - changed[0, 1, 3];
        Tensor moved = (network.Step(changed, network.InitialState(changed)) - network.Step(x, network.InitialState(x))).abs().amax(new long[] { 0, 1 });
        for (int i = 0; i < 12; i++)
            if (i is >= 3 and <= 5) Assert.True(moved[i].item<float>() > 1e-6, $"position {i} should see bit 3");
            else Assert.True(moved[i].item<float>() == 0, $"position {i} should not see bit 3");
    }

    [Theory]
    [InlineData("mazes", 3)]
    [InlineData("prefix-sums", 10)]
    public void The_transformer_ignores_its_state_so_every_K_gives_the_same_answer(string taskName, int size)
    {
        PuzzleTask task = PuzzleTasks.Parse(taskName);
        manual_seed(5);
        using PuzzleNetwork network = PuzzleNetwork.Create(Config(PuzzleArchitectures.Transformer, task, blocks: 2));
        Assert.False(network.Recurrent);
        using var inference = no_grad();
        Tensor x = Input(task, size, 2, 6);
        Tensor y = network.InitialState(x);
        Assert.Equal(0f, MaxDifference(network.Step(x, y), network.Step(x, randn_like(y))));
        // the engine alone decides what single-pass means: one step at every K, with the answer of any step
        Tensor once = Refiner.Run(network, x, new RefinementOptions { K = 1}).Select(s => s.LogProbs!.clone()).Single();
        foreach (RefinementDepth k in new RefinementDepth[] { 5, RefinementDepth.Infinite })
        {
            var steps = Refiner.Run(network, x, new RefinementOptions { K = ((RefinementDepth)k).Capped(5), EveryStepLogits = true })
                .Select(s => (s.Step, s.IsLast, LogProbs: s.LogProbs!.clone())).ToList();
            Assert.Equal((1, true), (steps.Single().Step, steps.Single().IsLast));
            Assert.Equal(0f, MaxDifference(steps.Single().LogProbs, once));
        }
    }

    [Fact]
    public void Evaluator_and_solver_apply_the_transformer_once_for_every_K()
    {
        manual_seed(6);
        using PuzzleNetwork network = PuzzleNetwork.Create(Config(PuzzleArchitectures.Transformer, MazesTask.Instance, blocks: 1));
        List<Puzzle> puzzles = new PuzzleSource(MazesTask.Instance, [3], ["prim"]).Instances(4, 7).ToList();
        List<PuzzleResult> results = PuzzleEvaluator.Evaluate(network, puzzles, [1, 8, null], new PuzzleSolveOptions { K = RefinementDepth.Infinite.Capped(100) }, batch: 3);
        Assert.Equal(["1", "8", "inf"], results.Select(r => r.K));
        Assert.All(results, r => Assert.Equal((results[0].Solved, results[0].PositionAccuracy, 4), (r.Solved, r.PositionAccuracy, r.Instances)));
        Assert.Equal(1.0, results[2].MeanK);
        List<PuzzleFrame> frames = PuzzleSolver.Solve(network, puzzles[0], new PuzzleSolveOptions { K = RefinementDepth.Infinite.Capped(100), Patience = 3 }).ToList();
        Assert.Equal((1, true, true), (frames.Single().Step, frames.Single().IsLast, frames.Single().Stopped));   // applied once, done
        Assert.Equal(frames[0].Probabilities, PuzzleSolver.Solve(network, puzzles[0], new PuzzleSolveOptions { K = ((RefinementDepth)8).Capped(100) }).Single().Probabilities);
        Assert.Equal(frames[0].Correct / (double)frames[0].Cells, PuzzleEvaluator.Evaluate(network, [puzzles[0]], [1], new PuzzleSolveOptions()).Single().PositionAccuracy, 6);
    }

    [Theory]
    [InlineData(PuzzleArchitectures.NeighbourAttention, "mazes")]
    [InlineData(PuzzleArchitectures.Transformer, "prefix-sums")]
    public void A_checkpoint_round_trip_restores_the_same_network(string architecture, string taskName)
    {
        PuzzleTask task = PuzzleTasks.Parse(taskName);
        string dir = Path.Combine(_root, architecture);
        var options = new PuzzleTrainingOptions { Out = dir, Sizes = task == MazesTask.Instance ? [3] : [6], Steps = 2, Batch = 2, MaxIterations = 3, WarmupSteps = 1 };
        Tensor x = Input(task, task == MazesTask.Instance ? 4 : 9, 2, 8);
        Tensor expected;
        using (var trainer = PuzzleTrainer.Start(Config(architecture, task, blocks: 2), options, "test"))
        {
            Assert.Equal(Isrm.Model.Training.TrainingOutcome.Completed, trainer.Run(_ => { }, CancellationToken.None));
            trainer.Network.eval();
            using var inference = no_grad();
            expected = trainer.Network.Logits(trainer.Network.Step(x, trainer.Network.InitialState(x))).clone();
        }
        using LoadedPuzzleCheckpoint loaded = PuzzleCheckpoint.Load(dir);
        Assert.Equal(architecture, loaded.Config.Architecture);
        Assert.Equal(2, loaded.Config.Heads);
        using var again = no_grad();
        Tensor actual = loaded.Network.Logits(loaded.Network.Step(x, loaded.Network.InitialState(x)));
        Assert.True(MaxDifference(expected, actual) < 1e-6, $"max difference {MaxDifference(expected, actual)}");
    }

    [Theory]
    [InlineData(PuzzleArchitectures.NeighbourAttention)]
    [InlineData(PuzzleArchitectures.Transformer)]
    public void A_few_training_steps_reduce_the_loss_on_short_strings(string architecture)
    {
        var options = new PuzzleTrainingOptions
        {
            Out = Path.Combine(_root, "train-" + architecture), Sizes = [4], Steps = 150, Batch = 32, MaxIterations = 4, WarmupSteps = 5,
            LearningRate = 1e-2, SaveEvery = 1000,
        };
        using var trainer = PuzzleTrainer.Start(Config(architecture, PrefixSumsTask.Instance, blocks: 1, causal: true), options, "test");
        var seen = new List<Isrm.Model.Training.TrainingProgress>();
        Assert.Equal(Isrm.Model.Training.TrainingOutcome.Completed, trainer.Run(seen.Add, CancellationToken.None));
        if (architecture == PuzzleArchitectures.Transformer) Assert.All(seen, p => Assert.Equal(1, p.K));
        else Assert.Contains(seen, p => p.K > 1);
        double first = seen.Take(10).Average(p => p.TrainLoss), last = seen.TakeLast(10).Average(p => p.TrainLoss);
        Assert.True(last < 0.9 * first, $"loss went from {first:F3} to {last:F3}");
    }

    [Fact]
    public void Bad_attention_configs_get_one_sentence()
    {
        var e = Assert.Throws<PuzzleFormatException>(() => new PuzzleNetConfig { Architecture = PuzzleArchitectures.Transformer, Width = 30, Heads = 4 }.Validate());
        Assert.Equal("the transformer architecture splits the width into heads: width 30 is not a multiple of 4 heads.", e.Message);
        Assert.Contains("heads must be between 1 and 64", Assert.Throws<PuzzleFormatException>(() => new PuzzleNetConfig { Heads = 0 }.Validate()).Message);
        Assert.Contains("at least one block", Assert.Throws<PuzzleFormatException>(() =>
            new PuzzleNetConfig { Architecture = PuzzleArchitectures.NeighbourAttention, Blocks = 0 }.Validate()).Message);
        new PuzzleNetConfig { Architecture = PuzzleArchitectures.DtRecall, Width = 30, Heads = 4 }.Validate();   // heads matter only to attention
        var run = RunIsrm("train", "--task", "mazes", "--architecture", "neighbour-attention", "--sizes", "9", "--width", "30", "--heads", "4", "--out", Path.Combine(_root, "bad"));
        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("not a multiple of 4 heads", line);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
