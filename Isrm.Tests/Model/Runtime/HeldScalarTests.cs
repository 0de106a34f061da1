namespace Isrm.Tests.Model.Runtime;

/// <summary>
/// Tensor arithmetic stays right while other threads collect garbage (<see cref="HeldScalars"/>). TorchSharp's own
/// operators hand libtorch temporary scalars that nothing holds, so a collection on another thread can free them
/// mid-call; each test keeps a collector running beside several computing threads, as the web app does when two
/// checkpoints run at once. They run until a minimum of rounds has run (up to two minutes): on a loaded CI machine none
/// of the arithmetic rounds once ran in the 4 s given.
/// </summary>
public sealed class HeldScalarTests(ITestOutputHelper output)
{
    [Fact]
    public void Held_arithmetic_gives_the_right_values_while_another_thread_collects()
    {
        var (operations, failures) = UnderCollection(TimeSpan.FromSeconds(4), threads: 4, minimumRounds: 1001, () =>
        {
            using var scope = NewDisposeScope();
            Tensor a = ones(8), b = full(8, 2f);
            float sum = a.Plus(b).PlusInPlace(b).Plus(0.5).Times(2).DividedBy(4).SubtractedFrom(10).AtLeast(0).AtMost(100)
                .sum().item<float>();   // ((1 + 2 + 2 + 0.5) · 2 / 4 → 2.75; 10 − 2.75 = 7.25) · 8
            long range = HeldScalars.Range(3, 7, ScalarType.Int64).Plus(1L).Between(5, 6).NotAbove(5).sum().item<long>();
            return sum == 58f && range == 2;   // 3 4 5 6 → +1 → 4 5 6 7 → clamped 5 5 6 6 → two at most 5
        });
        output.WriteLine($"{operations:N0} rounds of held arithmetic beside a collector, {failures} wrong or failed");
        lock (Faults) Faults.ForEach(output.WriteLine);
        Assert.True(operations > 1000, $"only {operations} rounds ran");
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Two_models_generating_at_once_beside_a_collector_give_what_each_gives_alone()
    {
        LoadedCheckpoint first = TinyModels.Loaded(seed: 7), second = TinyModels.Loaded(seed: 8);
        var request = new GenerationRequest { Prompt = "Once upon", K = 6, MaxTokens = 6, Temperature = 0, TraceSteps = true };
        string alone1 = Text(first, request), alone2 = Text(second, request);

        var (runs, failures) = UnderCollection(TimeSpan.FromSeconds(Seconds), threads: 2, minimumRounds: 4, worker =>
            worker == 0 ? Text(first, request) == alone1 : Text(second, request) == alone2);
        output.WriteLine($"{runs} generations beside a collector, {failures} different or failed; alone: '{alone1}', '{alone2}'");
        lock (Faults) Faults.ForEach(output.WriteLine);
        Assert.True(runs >= 4, $"only {runs} generations ran");
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Two_puzzle_networks_solving_at_once_beside_a_collector_give_what_each_gives_alone()
    {
        using LoadedPuzzleCheckpoint maze = PuzzleCheckpoint.Load(Repository.Combine("checkpoints", "mazes-dt-recall"));
        using LoadedPuzzleCheckpoint bits = PuzzleCheckpoint.Load(Repository.Combine("checkpoints", "prefix-sums-carry"));
        Puzzle mazeInstance = new PuzzleSource(MazesTask.Instance, [5]).Instances(1, seed: 3).Single();
        Puzzle bitsInstance = new PuzzleSource(PrefixSumsTask.Instance, [32]).Instances(1, seed: 3).Single();
        string Answer(LoadedPuzzleCheckpoint c, Puzzle p, int k) =>
            Convert.ToBase64String(PuzzleSolver.Solve(c.Network, p, new PuzzleSolveOptions { K = k }).Last().Probabilities);
        string alone1 = Answer(maze, mazeInstance, 12), alone2 = Answer(bits, bitsInstance, 40);

        var (runs, failures) = UnderCollection(TimeSpan.FromSeconds(Seconds), threads: 2, minimumRounds: 4, worker =>
            worker == 0 ? Answer(maze, mazeInstance, 12) == alone1 : Answer(bits, bitsInstance, 40) == alone2);
        output.WriteLine($"{runs} solves beside a collector, {failures} different or failed");
        lock (Faults) Faults.ForEach(output.WriteLine);
        Assert.True(runs >= 4, $"only {runs} solves ran");
        Assert.Equal(0, failures);
    }

    private static readonly double Seconds = double.TryParse(Environment.GetEnvironmentVariable("ISRM_HELD_SECONDS"), out double s) ? s : 6;

    private static string Text(LoadedCheckpoint checkpoint, GenerationRequest request)
    {
        using var inference = inference_mode();
        return string.Concat(Generator.Generate(checkpoint, request).OfType<TokenEvent>().Select(t => t.Text));
    }

    // The first few exceptions, for the test's output.
    private static readonly List<string> Faults = [];

    private static (long Rounds, int Failures) UnderCollection(TimeSpan length, int threads, int minimumRounds, Func<bool> round) =>
        UnderCollection(length, threads, minimumRounds, _ => round());

    // Runs `round` on `threads` threads while one more thread collects garbage without pause, until `length` has passed
    // and `minimumRounds` have run (a slow machine gets more time, up to two minutes); a round that throws or returns
    // false counts as a failure.
    private static (long Rounds, int Failures) UnderCollection(TimeSpan length, int threads, int minimumRounds, Func<int, bool> round)
    {
        lock (Faults) Faults.Clear();   // each test prints its own
        round(0);                        // warm-up outside the clock: the first tensor call of a process loads libtorch
        long rounds = 0;
        int failures = 0;
        DateTime start = DateTime.UtcNow, end = start + length, limit = start + TimeSpan.FromMinutes(2);
        bool Running() => DateTime.UtcNow < limit && (DateTime.UtcNow < end || Interlocked.Read(ref rounds) < minimumRounds);
        var collector = new Thread(() =>
        {
            while (Running())
            {
                GC.Collect(0);
                Thread.Sleep(0);
            }
        });
        var workers = Enumerable.Range(0, threads).Select(worker => new Thread(() =>
        {
            // no set_num_threads here: libtorch's thread count is process-wide, and the call can wait for work in flight
            while (Running())
            {
                bool right;
                try { right = round(worker); }
                catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
                {
                    right = false;
                    lock (Faults) if (Faults.Count < 3) Faults.Add(e.Message.Split('\n')[0] + " at " + string.Join(" < ", (e.StackTrace ?? "").Split('\n').Where(l => l.Contains("Isrm.Model")).Take(3).Select(l => l.Trim())));
                }
                if (!right) Interlocked.Increment(ref failures);
                Interlocked.Increment(ref rounds);
                GC.KeepAlive(new byte[2048]);   // allocation pressure, as a server has
            }
        })).ToList();
        collector.Start();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        collector.Join();
        return (rounds, failures);
    }
}
