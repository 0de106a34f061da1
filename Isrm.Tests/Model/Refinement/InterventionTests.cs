namespace Isrm.Tests.Model.Refinement;

/// <summary>
/// Interventions (<see cref="Intervention"/>, <see cref="InterventionRequest"/>): the run is that of the undisturbed
/// request up to the chosen step and changes only from there; a change that puts back what was there changes nothing.
/// </summary>
public sealed class InterventionTests
{
    private static readonly GenerationRequest Plain = new() { Prompt = "Once upon", K = 6, MaxTokens = 4, Temperature = 0, Seed = 5 };

    private static LoadedCheckpoint RandomStartModel() =>
        TinyModels.Loaded(TinyModels.Config() with { InitialState = InitialStateKind.Random, InitStateStd = 1f }, seed: 11);

    private static List<GenerationEvent> Run(LoadedCheckpoint checkpoint, GenerationRequest request) => Generator.Generate(checkpoint, request).ToList();

    private static List<StepEvent> Steps(List<GenerationEvent> events, int token) => events.OfType<StepEvent>().Where(s => s.TokenIndex == token).ToList();

    private static float[] Top(StepEvent s) => s.TopTokens.Select(t => t.Prob).ToArray();

    [Fact]
    public void A_random_state_after_step_two_of_token_one_leaves_token_zero_and_steps_one_and_two_alone_and_is_reproducible()
    {
        LoadedCheckpoint model = RandomStartModel();
        var changed = Plain with { Intervention = new InterventionRequest { At = 1, Step = 2, Change = InterventionChange.Random, Seed = 9 } };
        List<GenerationEvent> plain = Run(model, Plain), first = Run(model, changed), again = Run(model, changed);

        Assert.Equal(Steps(plain, 0).Select(Top), Steps(first, 0).Select(Top), new ArrayComparer(1e-6f));
        Assert.Equal(Steps(plain, 1).Take(2).Select(Top), Steps(first, 1).Take(2).Select(Top), new ArrayComparer(1e-6f));
        // the delta of step 3 measures the jump from the replaced state: it must differ from the undisturbed run's
        Assert.NotEqual(Steps(plain, 1)[2].Delta, Steps(first, 1)[2].Delta, 3);
        Assert.Equal(first.OfType<StepEvent>().Select(s => s.Delta), again.OfType<StepEvent>().Select(s => s.Delta));
    }

    [Fact]
    public void The_own_seeds_state_puts_back_what_was_there_and_another_seeds_state_changes_the_thought()
    {
        LoadedCheckpoint model = RandomStartModel();
        List<GenerationEvent> plain = Run(model, Plain);
        // the own seed's state after step 3, from a full uncached recompute, is the cached run's state: nothing changes
        List<GenerationEvent> own = Run(model, Plain with { Intervention = new InterventionRequest { At = 2, Step = 3, Change = InterventionChange.Seed, Seed = 5 } });
        Assert.Equal(plain.OfType<StepEvent>().Select(Top), own.OfType<StepEvent>().Select(Top), new ArrayComparer(1e-4f));
        List<GenerationEvent> other = Run(model, Plain with { Intervention = new InterventionRequest { At = 2, Step = 3, Change = InterventionChange.Seed, Seed = 6 } });
        Assert.Equal(Steps(plain, 2).Take(3).Select(Top), Steps(other, 2).Take(3).Select(Top), new ArrayComparer(1e-6f));
        Assert.NotEqual(Steps(plain, 2)[3].Delta, Steps(other, 2)[3].Delta, 3);
        // at step 0 another seed's start is what that seed's request starts from at this position
        List<GenerationEvent> start = Run(model, Plain with { Intervention = new InterventionRequest { At = 0, Step = 0, Change = InterventionChange.Seed, Seed = 5 } });
        Assert.Equal(plain.OfType<StepEvent>().Select(Top), start.OfType<StepEvent>().Select(Top), new ArrayComparer(1e-4f));
    }

    [Fact]
    public void Forcing_the_token_that_was_read_changes_nothing_and_forcing_another_changes_the_answer_probabilities()
    {
        LoadedCheckpoint model = RandomStartModel();
        List<GenerationEvent> plain = Run(model, Plain);
        string read = plain.OfType<TokenEvent>().Single(t => t.TokenIndex == 0).Text;   // token 1 is refined at the position that reads token 0
        Assert.Single(read);
        List<GenerationEvent> same = Run(model, Plain with { Intervention = new InterventionRequest { At = 1, Step = 1, Change = InterventionChange.Token, Token = read } });
        Assert.Equal(plain.OfType<StepEvent>().Select(Top), same.OfType<StepEvent>().Select(Top), new ArrayComparer(1e-6f));
        string other = read == "Z" ? "Q" : "Z";
        List<GenerationEvent> forced = Run(model, Plain with { Intervention = new InterventionRequest { At = 1, Step = 1, Change = InterventionChange.Token, Token = other } });
        Assert.Equal(Top(Steps(plain, 1)[0]), Top(Steps(forced, 1)[0]), new ArrayComparer(1e-6f).Equals);
        Assert.NotEqual(Steps(plain, 1)[1].TopTokens.Select(t => t.Prob), Steps(forced, 1)[1].TopTokens.Select(t => t.Prob));
    }

    [Fact]
    public void Interventions_the_run_cannot_make_are_refused_with_one_sentence()
    {
        LoadedCheckpoint model = RandomStartModel();
        string Refusal(InterventionRequest r) => Assert.Throws<ArgumentException>(() => Run(model, Plain with { Intervention = r })).Message;
        Assert.Contains("the run ends at step 6 (K = 6): pick a step below 6", Refusal(new() { Step = 6 }));
        Assert.Contains("only 4 tokens are asked for (#0–#3)", Refusal(new() { At = 4 }));
        Assert.Contains("step must be ≥ 0", Refusal(new() { Step = -1 }));
        Assert.Contains("The scale must be a finite factor", Refusal(new() { Change = InterventionChange.Scale, Scale = 0 }));
        Assert.Contains("is 2 tokens", Refusal(new() { Change = InterventionChange.Token, Token = "ab" }));
        Assert.Contains("Name the token to force", Refusal(new() { Change = InterventionChange.Token }));
        Assert.Contains("Forcing a token is for text models", new InterventionRequest { Change = InterventionChange.Token, Token = "a" }.Problem(RefinementDepth.Of(8).Capped(64), maxTokens: null));
        Assert.Contains("(K = ∞, capped at 16)", new InterventionRequest { Step = 16 }.Problem(RefinementDepth.Infinite.Capped(16), 4));
    }

    [Fact]
    public void A_scaled_copy_by_one_changes_no_step_and_by_three_changes_the_steps_after_it_on_a_puzzle()
    {
        using LoadedPuzzleCheckpoint maze = PuzzleCheckpoint.Load(Repository.Combine("checkpoints", "mazes-dt-recall"));
        Puzzle puzzle = new PuzzleSource(MazesTask.Instance, [7]).Instances(1, seed: 4).Single();
        List<PuzzleFrame> Solve(InterventionRequest? change, Puzzle? foreign = null) =>
            PuzzleSolver.Solve(maze.Network, puzzle, new PuzzleSolveOptions { K = 12, Intervention = change, Foreign = foreign }).ToList();
        List<PuzzleFrame> plain = Solve(null);
        Assert.Equal(plain.Select(f => f.Probabilities), Solve(new() { Step = 5, Change = InterventionChange.Scale, Scale = 1 }).Select(f => f.Probabilities));
        Assert.Equal(plain.Select(f => f.Probabilities), Solve(new() { Step = 5, Change = InterventionChange.Seed, Seed = 4 }, foreign: puzzle).Select(f => f.Probabilities));
        List<PuzzleFrame> scaled = Solve(new() { Step = 5, Change = InterventionChange.Scale, Scale = 3 });
        Assert.Equal(plain.Take(5).Select(f => f.Probabilities), scaled.Take(5).Select(f => f.Probabilities));
        Assert.NotEqual(plain[5].Probabilities, scaled[5].Probabilities);
        Puzzle other = new PuzzleSource(MazesTask.Instance, [7]).Instances(1, seed: 9).Single();
        List<PuzzleFrame> foreign = Solve(new() { Step = 0, Change = InterventionChange.Seed, Seed = 9 }, foreign: other);
        Assert.Equal(12, foreign.Count);
        Puzzle small = new PuzzleSource(MazesTask.Instance, [5]).Instances(1, seed: 9).Single();
        Assert.Contains("must come from an instance of the same size",
            Assert.Throws<PuzzleFormatException>(() => Solve(new() { Step = 2, Change = InterventionChange.Seed, Seed = 9 }, foreign: small)).Message);
        Assert.Contains("Forcing a token is for text models",
            Assert.Throws<PuzzleFormatException>(() => Solve(new() { Step = 2, Change = InterventionChange.Token, Token = "a" })).Message);
    }

    private sealed class ArrayComparer(float tolerance) : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? a, float[]? b) => a is not null && b is not null && a.Length == b.Length && a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= tolerance);
        public int GetHashCode(float[] obj) => 0;
    }
}

/// <summary>Path independence in the solver (issue 28, point 2): one instance from N starts at once, every run reported.</summary>
public sealed class PathStartsTests
{
    [Fact]
    public void A_maze_from_four_starts_reports_every_run_its_own_start_first_and_how_each_ended()
    {
        using LoadedPuzzleCheckpoint maze = PuzzleCheckpoint.Load(Repository.Combine("checkpoints", "mazes-dt-recall"));
        Puzzle puzzle = new PuzzleSource(MazesTask.Instance, [7]).Instances(1, seed: 4).Single();
        List<PuzzleFrame> alone = PuzzleSolver.Solve(maze.Network, puzzle, new PuzzleSolveOptions { K = 40 }).ToList();
        List<PuzzleFrame> four = PuzzleSolver.Solve(maze.Network, puzzle, new PuzzleSolveOptions { K = 40, Starts = 4, StartSeed = 3 }).ToList();

        Assert.All(alone, f => Assert.Null(f.Paths));
        Assert.Equal(40, four.Count);
        Assert.All(four, f => Assert.Equal(4, f.Paths!.Correct!.Length));
        Assert.All(four, f => Assert.Equal(0f, f.Paths!.Distance[0]));
        // the frames' own probabilities are the own start's run, as a solve from one start gives them
        for (int i = 0; i < 40; i++)
            Assert.True(alone[i].Probabilities.Zip(four[i].Probabilities).All(p => Math.Abs(p.First - p.Second) <= 1), $"step {i + 1} differs");
        Assert.True(four[0].Paths!.Distance.Skip(1).All(d => d > 0.01f), "the random starts begin away from the own start");
        Assert.All(four.Take(39), f => Assert.Null(f.Paths!.Endings));
        PathStep last = four[^1].Paths!;
        Assert.Equal(4, last.Endings!.Length);
        Assert.InRange(last.DistinctAnswers, 1, 4);
        Assert.Equal(last.DistinctAnswers == 1, last.SameAnswer);

        // the same seed gives the same runs; another seed other starts
        List<PuzzleFrame> again = PuzzleSolver.Solve(maze.Network, puzzle, new PuzzleSolveOptions { K = 40, Starts = 4, StartSeed = 3 }).ToList();
        Assert.Equal(four.Select(f => f.Paths!.Distance), again.Select(f => f.Paths!.Distance));
        List<PuzzleFrame> other = PuzzleSolver.Solve(maze.Network, puzzle, new PuzzleSolveOptions { K = 2, Starts = 4, StartSeed = 4 }).ToList();
        Assert.NotEqual(four[0].Paths!.Distance, other[0].Paths!.Distance);
    }

    [Fact]
    public void A_fixed_point_a_two_cycle_and_a_moving_run_are_told_apart()
    {
        Tensor a = tensor(new float[] { 1, 0 }), b = tensor(new float[] { 0, 1 });
        Tensor Row(params Tensor[] rows) => stack(rows);
        // run 0 settles on a; run 1 alternates a, b; run 2 drifts
        var tail = Enumerable.Range(0, 9).Select(t => Row(a, t % 2 == 0 ? a : b, tensor(new float[] { t, 1 }))).ToList();
        var (endings, periods) = RunEndings.Classify(tail, 1e-3, 8);
        Assert.Equal([RunEnding.FixedPoint, RunEnding.Cycle, RunEnding.Moving], endings);
        Assert.Equal([null, 2, null], periods);
        Assert.All(RunEndings.Classify(tail.Take(3).ToList(), 1e-3, 8).Endings, e => Assert.Equal(RunEnding.SinglePass, e));
    }

    [Fact]
    public void A_chat_token_from_four_starts_reports_every_run_keeps_the_own_starts_steps_and_ends_the_generation()
    {
        LoadedCheckpoint model = TinyModels.Loaded(TinyModels.Config() with { InitialState = InitialStateKind.Random, InitStateStd = 1f }, seed: 11);
        var plain = new GenerationRequest { Prompt = "Once upon", K = 12, MaxTokens = 4, Temperature = 0, Seed = 5 };
        List<GenerationEvent> alone = Generator.Generate(model, plain).ToList();
        List<GenerationEvent> four = Generator.Generate(model, plain with { Starts = new StartsRequest { At = 1, Starts = 4, Seed = 2 } }).ToList();

        Assert.Equal(2, four.OfType<TokenEvent>().Count());   // the generation ends with the starts' token
        Assert.All(four.OfType<StepEvent>().Where(s => s.TokenIndex == 0), s => Assert.Null(s.Paths));
        List<StepEvent> token = four.OfType<StepEvent>().Where(s => s.TokenIndex == 1).ToList();
        List<StepEvent> own = alone.OfType<StepEvent>().Where(s => s.TokenIndex == 1).ToList();
        Assert.Equal(12, token.Count);
        // the own start's run, recomputed without the cache in a batch of four, is the plain run's token 1
        for (int i = 0; i < 12; i++)
            Assert.True(own[i].TopTokens.Zip(token[i].TopTokens).All(p => p.First.TokenId == p.Second.TokenId && Math.Abs(p.First.Prob - p.Second.Prob) < 1e-4), $"step {i + 1}");
        Assert.All(token, s => Assert.Equal(4, s.Paths!.Answers!.Length));
        Assert.All(token, s => Assert.Equal(0f, s.Paths!.Distance[0]));
        Assert.All(token, s => Assert.Equal(s.TopTokens[0].Token, s.Paths!.Answers![0]));
        Assert.True(token[0].Paths!.Distance.Skip(1).All(d => d > 0.01f), "the random starts begin away from the own start");
        Assert.Equal(4, token[^1].Paths!.Endings!.Length);
        Assert.All(token.Take(11), s => Assert.Null(s.Paths!.Endings));

        string Refusal(GenerationRequest r) => Assert.Throws<ArgumentException>(() => Generator.Generate(model, r).ToList()).Message;
        Assert.Contains("The number of starts must be from 2 to 16; got 1.", Refusal(plain with { Starts = new() { Starts = 1 } }));
        Assert.Contains("The starts are for token #4, but only 4 tokens are asked for", Refusal(plain with { Starts = new() { At = 4 } }));
        Assert.Contains("Choose either an intervention or several starts", Refusal(plain with { Starts = new(), Intervention = new() }));
    }

    [Fact]
    public void Too_many_starts_and_starts_with_an_intervention_are_refused_with_one_sentence()
    {
        Assert.Contains("the number of starts must be from 1 to 16 (got 17)",
            Assert.Throws<PuzzleFormatException>(() => new PuzzleSolveOptions { Starts = 17 }.Validate()).Message);
        Assert.Contains("choose either an intervention or several starts",
            Assert.Throws<PuzzleFormatException>(() => new PuzzleSolveOptions { Starts = 2, Intervention = new() { Step = 1 } }.Validate()).Message);
    }
}
