namespace Isrm.Tests.Model.Refinement;

/// <summary>
/// Continuous batching (issue 27, point 1): requests on one checkpoint, each with its own cache, length, K, seed,
/// sampling and stop rule, advanced in turn by one <see cref="StepScheduler"/>, give what each gives alone — the same
/// tokens, the same steps, per-step top probabilities within 1e-4 — while their steps really were joined; requests join
/// and leave between steps, and a cancelled one stops within one step without disturbing the others.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class BatchedStepTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    private static string Shipped(string name) => Repository.Combine("checkpoints", name);

    /// <summary>Different prompts (so different lengths), K, seeds, sampling, stop texts and tracing, on one model.</summary>
    private static GenerationRequest[] Requests() =>
    [
        new() { Prompt = "The man said that", K = 8, MaxTokens = 12, Temperature = 0, Seed = 1 },
        new() { Prompt = "It was a", K = 3, MaxTokens = 16, Temperature = 0.8f, TopK = 20, Seed = 2 },
        new() { Prompt = "In the morning the farmers of the county went", K = RefinementDepth.Infinite.Capped(40), MaxTokens = 10, Temperature = 0, Seed = 3 },
        new() { Prompt = "She", K = 12, MaxTokens = 14, Temperature = 1f, TopP = 0.9f, Seed = 4, StopText = " " },
        new() { Prompt = "Yes, and then", K = 5, MaxTokens = 9, Temperature = 0, Seed = 5, TraceSteps = false },
    ];

    [Fact]
    public void Generations_refined_together_equal_each_alone_and_their_steps_were_joined()
    {
        using LoadedCheckpoint checkpoint = Checkpoint.Load(Shipped("isrm-default"), CPU);
        GenerationRequest[] requests = Requests();
        List<GenerationEvent>[] alone = requests.Select(r => Generator.Generate(checkpoint, r).ToList()).ToArray();

        // Three of the five requests get a slot of the shared caches, two keep caches of their own: both kinds are joined.
        using var scheduler = new StepScheduler(checkpoint.Model, slots: 3);
        List<GenerationEvent>[] together = RunTogether(requests.Length, i => Generator.Generate(checkpoint, requests[i], default, scheduler.Network), scheduler);

        var (batches, rows, widest) = scheduler.Counts;
        output.WriteLine($"{batches} joined steps holding {rows} rows, at most {widest} in one");
        Assert.True(widest >= 3, $"at most {widest} requests were refined in one step");
        Assert.True(rows > batches, "no step held more than one request");
        for (int i = 0; i < requests.Length; i++) AssertSame(alone[i], together[i], $"request {i}");
    }

    [Fact]
    public void A_request_that_joins_late_and_one_that_is_cancelled_leave_the_others_as_they_were_alone()
    {
        using LoadedCheckpoint checkpoint = Checkpoint.Load(Shipped("isrm-default"), CPU);
        var first = new GenerationRequest { Prompt = "The man said that", K = 8, MaxTokens = 20, Temperature = 0, Seed = 1 };
        var late = new GenerationRequest { Prompt = "It was a", K = 6, MaxTokens = 8, Temperature = 0.7f, Seed = 9 };
        var cancelled = new GenerationRequest { Prompt = "She said", K = 8, MaxTokens = 50, Temperature = 0, Seed = 2 };
        List<GenerationEvent> firstAlone = Generator.Generate(checkpoint, first).ToList();
        List<GenerationEvent> lateAlone = Generator.Generate(checkpoint, late).ToList();

        using var scheduler = new StepScheduler(checkpoint.Model, slots: 2);   // the late request may take the cancelled one's slot
        using var stop = new CancellationTokenSource();
        var firstTogether = new List<GenerationEvent>();
        var lateTogether = new List<GenerationEvent>();
        var cancelledTogether = new List<GenerationEvent>();
        Add(scheduler, Generator.Generate(checkpoint, first, default, scheduler.Network), firstTogether, e =>
        {
            if (e is TokenEvent { TokenIndex: 3 })   // the late request joins after three tokens
                Add(scheduler, Generator.Generate(checkpoint, late, default, scheduler.Network), lateTogether, _ => { });
        });
        Add(scheduler, Generator.Generate(checkpoint, cancelled, stop.Token, scheduler.Network), cancelledTogether, e =>
        {
            if (e is TokenEvent { TokenIndex: 2 }) stop.Cancel();        // leaves after three tokens
        });
        scheduler.RunAll();

        AssertSame(firstAlone, firstTogether, "the first request");
        AssertSame(lateAlone, lateTogether, "the late request");
        DoneEvent done = Assert.IsType<DoneEvent>(cancelledTogether[^1]);
        Assert.Equal(StopReason.Cancelled, done.StopReason);
        // Cancelled after its third token: at most one more step of the fourth token was computed.
        int fourthTokenSteps = cancelledTogether.OfType<StepEvent>().Count(s => s.TokenIndex == 3);
        Assert.True(fourthTokenSteps <= 1, $"{fourthTokenSteps} steps of the next token ran after the cancellation");
        Assert.Equal(3, cancelledTogether.OfType<TokenEvent>().Count());
        Assert.True(scheduler.Counts.Widest >= 2, "no step was joined");
        Assert.Equal(0, scheduler.Running);
    }

    [Fact]
    public void The_transformer_baseline_decodes_together_as_alone()
    {
        using LoadedCheckpoint checkpoint = Checkpoint.Load(Shipped("transformer-equal-steps"), CPU);
        GenerationRequest[] requests = Requests().Select(r => r with { MaxTokens = 6 }).ToArray();
        List<GenerationEvent>[] alone = requests.Select(r => Generator.Generate(checkpoint, r).ToList()).ToArray();
        using var scheduler = new StepScheduler(checkpoint.Model);
        List<GenerationEvent>[] together = RunTogether(requests.Length, i => Generator.Generate(checkpoint, requests[i], default, scheduler.Network), scheduler);
        Assert.True(scheduler.Counts.Widest >= 2, "no step was joined");
        for (int i = 0; i < requests.Length; i++) AssertSame(alone[i], together[i], $"request {i}");
    }

    [Fact]
    public void Puzzle_solves_of_one_size_are_solved_together_as_alone()
    {
        using LoadedPuzzleCheckpoint checkpoint = PuzzleCheckpoint.Load(Shipped("mazes-dt-recall"));
        var source = new PuzzleSource(MazesTask.Instance, [9, 11]);
        Puzzle[] puzzles = source.Instances(2, seed: 77).ToArray();   // two of each size: the sizes are refined apart
        Assert.Equal(4, puzzles.Length);
        PuzzleSolveOptions[] options =
        [
            new() { K = 20 }, new() { K = RefinementDepth.Infinite.Capped(60) }, new() { K = 35 }, new() { K = 12 },
        ];
        List<PuzzleFrame>[] alone = puzzles.Select((p, i) => PuzzleSolver.Solve(checkpoint.Network, p, options[i]).ToList()).ToArray();
        using var scheduler = new StepScheduler(checkpoint.Network);
        List<PuzzleFrame>[] together = RunTogether(puzzles.Length, i => PuzzleSolver.Solve(checkpoint.Network, puzzles[i], options[i], default, scheduler.Network), scheduler);

        Assert.True(scheduler.Counts.Widest >= 2, "no step was joined");
        for (int i = 0; i < puzzles.Length; i++)
        {
            Assert.Equal(alone[i].Count, together[i].Count);
            for (int f = 0; f < alone[i].Count; f++)
            {
                PuzzleFrame a = alone[i][f], b = together[i][f];
                Assert.Equal((a.Step, a.Correct, a.Solved, a.SolvedAt, a.IsLast, a.Stopped), (b.Step, b.Correct, b.Solved, b.SolvedAt, b.IsLast, b.Stopped));
                int worst = a.Probabilities.Zip(b.Probabilities, (x, y) => Math.Abs(x - y)).Max();
                Assert.True(worst <= 1, $"puzzle {i} step {a.Step}: a cell's probability differs by {worst}/255");
            }
        }
    }

    [Fact]
    public void A_run_that_fails_ends_with_its_exception_and_the_others_finish_as_alone()
    {
        using LoadedCheckpoint checkpoint = Checkpoint.Load(Shipped("isrm-default"), CPU);
        GenerationRequest[] requests = Requests()[..3];
        List<GenerationEvent>[] alone = requests.Select(r => Generator.Generate(checkpoint, r).ToList()).ToArray();

        using var scheduler = new StepScheduler(checkpoint.Model, slots: 4);
        var together = requests.Select(_ => new List<GenerationEvent>()).ToArray();
        for (int i = 0; i < requests.Length; i++) Add(scheduler, Generator.Generate(checkpoint, requests[i], default, scheduler.Network), together[i], _ => { });
        // a fourth run fails in the middle of its second token, between two of its steps
        Exception? ended = null;
        bool endedOnce = false;
        IEnumerable<bool> Failing()
        {
            foreach (GenerationEvent e in Generator.Generate(checkpoint, requests[0] with { Seed = 9 }, default, scheduler.Network))
            {
                if (e is StepEvent { TokenIndex: 1, Step: 3 }) throw new InvalidOperationException("a run's own fault");
                yield return e is StepWaitEvent;
            }
        }
        scheduler.Add(Failing(), fault =>
        {
            Assert.False(endedOnce, "a run ended twice");
            (ended, endedOnce) = (fault, true);
        });
        scheduler.RunAll();

        Assert.Equal("a run's own fault", Assert.IsType<InvalidOperationException>(ended).Message);
        Assert.Equal(0, scheduler.Running);
        for (int i = 0; i < requests.Length; i++) AssertSame(alone[i], together[i], $"request {i}");
    }

    [Fact]
    public void Runs_that_never_wait_take_turns_of_a_few_items_each()
    {
        using var scheduler = new StepScheduler();   // a stand-in model's: no network, its runs never wait
        var order = new List<int>();
        IEnumerable<bool> Run(int id)
        {
            for (int item = 0; item < 10; item++)
            {
                order.Add(id);
                yield return false;
            }
        }
        int ended = 0;
        for (int id = 0; id < 3; id++) scheduler.Add(Run(id), fault => { Assert.Null(fault); ended++; });
        scheduler.RunAll();

        Assert.Equal(3, ended);
        Assert.Equal(30, order.Count);
        // each run's items come in turns of at most ItemsPerTurn, the three runs alternating
        int longest = order.Select((id, at) => order.Skip(at).TakeWhile(x => x == id).Count()).Max();
        Assert.Equal(StepScheduler.ItemsPerTurn, longest);
        Assert.Equal([0, 1, 2], order.Take(3 * StepScheduler.ItemsPerTurn).Chunk(StepScheduler.ItemsPerTurn).Select(c => c.Distinct().Single()));
    }

    // Adds every run to the scheduler at once and advances them to their ends; collects what each yields (its waits aside).
    private static List<T>[] RunTogether<T>(int count, Func<int, IEnumerable<T>> run, StepScheduler scheduler)
    {
        var results = Enumerable.Range(0, count).Select(_ => new List<T>()).ToArray();
        for (int i = 0; i < count; i++) Add(scheduler, run(i), results[i], _ => { });
        scheduler.RunAll();
        return results;
    }

    // One run of the scheduler: what it yields goes into the list and to `seen`; a fault fails the test.
    private static void Add<T>(StepScheduler scheduler, IEnumerable<T> run, List<T> into, Action<T> seen)
    {
        IEnumerable<bool> Items()
        {
            foreach (T item in run)
            {
                if (item is StepWaitEvent || item is PuzzleFrame { IsWaiting: true })
                {
                    yield return true;
                    continue;
                }
                into.Add(item);
                seen(item);
                yield return false;
            }
        }
        scheduler.Add(Items(), fault => Assert.Null(fault));
    }

    // The same tokens and steps; every step's top tokens the same, their probabilities, entropy and norms within 1e-4.
    private static void AssertSame(List<GenerationEvent> alone, List<GenerationEvent> together, string what)
    {
        Assert.Equal(alone.OfType<TokenEvent>().Select(t => (t.TokenId, t.StepsUsed)), together.OfType<TokenEvent>().Select(t => (t.TokenId, t.StepsUsed)));
        Assert.Equal(Assert.IsType<DoneEvent>(alone[^1]).StopReason, Assert.IsType<DoneEvent>(together[^1]).StopReason);
        StepEvent[] a = [.. alone.OfType<StepEvent>()], b = [.. together.OfType<StepEvent>()];
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal((a[i].TokenIndex, a[i].Step), (b[i].TokenIndex, b[i].Step));
            Assert.Equal(a[i].TopTokens.Select(t => t.TokenId), b[i].TopTokens.Select(t => t.TokenId));
            foreach (var (x, y) in a[i].TopTokens.Zip(b[i].TopTokens))
                Assert.True(Math.Abs(x.Prob - y.Prob) <= Tolerance, $"{what}, token {a[i].TokenIndex} step {a[i].Step}: {y.Prob} against {x.Prob} alone");
            Assert.True(Math.Abs(a[i].Entropy - b[i].Entropy) <= Tolerance, $"{what}: entropy {b[i].Entropy} against {a[i].Entropy}");
            Assert.True(Math.Abs(a[i].Delta - b[i].Delta) <= Tolerance * Math.Max(1, Math.Abs(a[i].Delta)), $"{what}: delta {b[i].Delta} against {a[i].Delta}");
        }
    }
}
