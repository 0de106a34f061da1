using System.Runtime.CompilerServices;
using Isrm.Web.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Isrm.Tests.Web;

/// <summary>The limits and the two puzzle checkpoints (a maze one, a prefix-sums one) the page-logic tests list.</summary>
internal static class PuzzleViewFixtures
{
    public static readonly PuzzleOptions Limits = new() { MaxK = 256, MaxMazeSize = 20, MaxBits = 100, MaxInputChars = 5000 };
    public static readonly CheckpointListing Maze = new("maze-a", "dt-recall", 1000, "", true, null, Task: "mazes");
    public static readonly CheckpointListing Bits = new("bits-a", "carry", 1000, "", true, null, Task: "prefix-sums");
}

/// <summary>The Puzzles page's logic without a browser: instances, limits, K, streaming, Stop, and the frame thinning rule.</summary>
public sealed class PuzzleViewTests
{
    private static readonly PuzzleOptions Limits = PuzzleViewFixtures.Limits;
    private static readonly CheckpointListing Maze = PuzzleViewFixtures.Maze, Bits = PuzzleViewFixtures.Bits;

    [Fact]
    public async Task New_shows_a_maze_of_the_chosen_size_and_seed_and_moves_the_seed_on()
    {
        var view = new PuzzleView(Never, Limits);
        PuzzleStartFrame? shown = null;
        view.InstanceShown += s => { shown = s; return Task.CompletedTask; };
        await view.LoadCheckpointsAsync([Maze, Bits]);
        view.Size = 5;
        view.Seed = 42;
        view.Generator = "prim";

        await view.NewInstanceAsync();

        Puzzle expected = MazeGenerator.Generate(5, MazeAlgorithm.Prim, new Random(42));
        Assert.Equal(expected.ToText(), view.InputText);
        Assert.Equal(43, view.Seed);
        Assert.Equal(11, shown!.Height);
        Assert.Equal(expected.Target.Count(t => t), shown.Target.Count(t => t == 1));
        Assert.True(view.CanSolve);
        Assert.StartsWith("A maze of 5×5 cells (11×11 grid)", view.Status);
    }

    [Fact]
    public async Task A_maze_edited_on_the_canvas_toggles_cells_moves_s_and_e_and_gets_a_pasted_maze_s_sentences()
    {
        var view = new PuzzleView(Never, Limits);
        var shown = new List<PuzzleStartFrame>();
        view.InstanceShown += s => { shown.Add(s); return Task.CompletedTask; };
        await view.LoadCheckpointsAsync([Maze]);
        // two routes from S to E: along the top (8 steps, the answer) and round the bottom (12)
        await view.SetInputAsync("#######\n#S....#\n#.###.#\n#.#...#\n#.#.#.#\n#...#E#\n#######");
        Assert.True(view.CanSolve, view.Status);
        int drawn = shown.Count;

        await view.EditAsync(3, 3, 3, 3);                       // floor → wall: the bottom route is closed
        Assert.Equal('#', view.InputText.Split('\n')[3][3]);
        Assert.True(view.CanSolve, view.Status);
        await view.EditAsync(1, 1, 3, 1);                       // drag S down two cells
        Assert.Equal(("#.....#", "#S#...#"[..3]), (view.InputText.Split('\n')[1], view.InputText.Split('\n')[3][..3]));
        Assert.Equal(drawn + 2, shown.Count);                       // each valid edit is drawn

        await view.EditAsync(5, 5, 5, 5);                       // E is not a wall or floor: a click on it does nothing
        await view.EditAsync(1, 3, 2, 3);                       // a drag that does not start on S or E does nothing
        await view.EditAsync(9, 9, 9, 9);                       // outside the grid: nothing
        Assert.Equal(drawn + 2, shown.Count);

        await view.EditAsync(4, 5, 4, 5);                       // closes the corridor into E: the pasted maze's sentence
        Assert.False(view.CanSolve);
        Assert.Contains("no path from S to E", view.Status);
        await view.EditAsync(4, 5, 4, 5);                       // the same click again undoes it
        Assert.True(view.CanSolve, view.Status);
        Assert.Equal(drawn + 3, shown.Count);
    }

    [Fact]
    public async Task A_size_beyond_the_limit_or_a_broken_paste_gets_one_sentence_and_cannot_be_solved()
    {
        var view = new PuzzleView(Never, Limits);
        await view.LoadCheckpointsAsync([Maze]);

        view.Size = 500;
        await view.NewInstanceAsync();
        Assert.Equal("Size 500 is outside what this server solves for mazes (2–20, the n of an n×n maze); choose a size in that range.", view.Status);
        Assert.False(view.CanSolve);

        await view.SetInputAsync("#####\n#S..#\n#.#\n#..E#\n#####");
        Assert.Contains("every line must be the same length", view.Status);
        Assert.Null(view.Instance);

        await view.SetInputAsync(new string('#', 6000));
        Assert.Contains("larger than the limit of 20×20", view.Status);
    }

    [Fact]
    public async Task Switching_task_picks_that_tasks_checkpoint_and_a_bit_string()
    {
        var view = new PuzzleView(Never, Limits);
        await view.LoadCheckpointsAsync([Maze, Bits]);

        await view.SetTaskAsync(PrefixSumsTask.Instance);

        Assert.Equal("bits-a", view.Checkpoint);
        Assert.Equal(32, view.Instance!.Size);
        Assert.Matches("^[01]{32}$", view.InputText);
        Assert.Equal("A string of 32 bits. Press Solve.", view.Status);
    }

    [Fact]
    public async Task Without_a_checkpoint_for_the_task_the_instance_shows_and_the_status_says_how_to_get_one()
    {
        var view = new PuzzleView(Never, Limits);
        await view.LoadCheckpointsAsync([Bits]);
        await view.SetTaskAsync(MazesTask.Instance);

        Assert.Null(view.Checkpoint);
        Assert.False(view.CanSolve);
        Assert.EndsWith("No mazes checkpoint is loaded here: train one with isrm train --task mazes.", view.Status);
    }

    [Fact]
    public async Task Solve_streams_frames_to_the_canvas_in_batches_and_ends_with_solved_at()
    {
        SolveRequest? sent = null;
        var view = new PuzzleView((request, c) => { sent = request; return Script(request, steps: 6, solvedAt: 4, c); }, Limits) { FlushInterval = TimeSpan.Zero };
        var batches = new List<PuzzleFrameBatch>();
        view.FramesArrived += b => { batches.Add(b); return Task.CompletedTask; };
        await view.LoadCheckpointsAsync([Maze]);
        view.Infinite = false;
        view.KIndex = view.KLadder.ToList().IndexOf(6);

        await view.SolveAsync();

        Assert.Equal("6", sent!.K.ToString());
        Assert.Equal(view.InputText, sent.Text);
        Assert.Equal("maze-a", sent.Checkpoint);
        Assert.Equal(Enumerable.Range(1, 6), batches.SelectMany(b => b.Steps));
        Assert.Equal(6 * view.Instance!.CellCount, batches.Sum(b => b.Probabilities.Length));
        Assert.Equal(6, view.Scrubber.StepCount);
        Assert.Equal(6, view.Scrubber.Current);
        Assert.Equal(6, view.MarkedK);
        Assert.StartsWith("Solved at step 4; ran 6 steps", view.Status);
        view.Scrubber.Seek(2);
        Assert.Equal(2, view.ScrubbedFrame!.Step);
    }

    [Fact]
    public async Task Infinity_is_sent_as_inf_and_a_refusal_becomes_the_status()
    {
        SolveRequest? sent = null;
        var view = new PuzzleView((request, c) => { sent = request; return Refuse("K = 9 is beyond this server's puzzle cap of 8."); }, Limits);
        await view.LoadCheckpointsAsync([Maze]);

        await view.SolveAsync();

        Assert.True(sent!.K.IsInfinite);
        Assert.Equal("K = 9 is beyond this server's puzzle cap of 8.", view.Status);
        Assert.False(view.IsRunning);
    }

    [Fact]
    public async Task Stop_cancels_the_solve_at_once_and_drops_frames_not_yet_drawn()
    {
        var cancelled = new TaskCompletionSource();
        var view = new PuzzleView((request, c) => Endless(request, c, cancelled), Limits) { FlushInterval = TimeSpan.FromHours(1) };
        await view.LoadCheckpointsAsync([Maze]);
        var drawn = new List<PuzzleFrameBatch>();
        view.FramesArrived += b => { drawn.Add(b); return Task.CompletedTask; };
        Task solving = view.SolveAsync();
        while (view.Frames.Count < 5) await Task.Delay(5);
        view.Stop();
        await solving.WaitAsync(TimeSpan.FromSeconds(5));

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(view.Stopped);
        Assert.False(view.IsRunning);
        Assert.Empty(drawn);                       // nothing was flushed yet, so nothing is kept
        Assert.Empty(view.Frames);
        Assert.Equal("Stopped before the first step.", view.Status);
    }

    [Fact]
    public void The_k_ladder_runs_from_1_to_the_cap_and_thinned_frames_stay_few()
    {
        IReadOnlyList<int> ladder = PuzzleView.Ladder(2048);
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16 }, ladder.Take(12));
        Assert.Equal(2048, ladder[^1]);
        Assert.True(ladder.Zip(ladder.Skip(1)).All(p => p.First < p.Second));
        Assert.Equal(1000, PuzzleView.Ladder(1000)[^1]);

        Assert.Equal(384, FrameSampler.Count(2048, 128));
        Assert.Equal(128, FrameSampler.Count(128, 128));
        Assert.True(FrameSampler.Keep(130, 128) && !FrameSampler.Keep(131, 128));
        Assert.True(FrameSampler.Keep(260, 128) && !FrameSampler.Keep(258, 128));
    }

    [Theory]
    [InlineData("MaxK")]
    [InlineData("MaxMazeSize")]
    [InlineData("MaxBits")]
    [InlineData("MaxInputChars")]
    [InlineData("QueueCapacity")]
    [InlineData("DenseSteps")]
    public void Each_puzzle_limit_is_in_appsettings_and_in_the_manual_table_with_its_default(string key)
    {
        using var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "Isrm.Web", "appsettings.json")));
        string value = settings.RootElement.GetProperty("Isrm").GetProperty("Puzzles").GetProperty(key).GetRawText();
        string manual = File.ReadAllText(Path.Combine(Repository.Root, "docs", "puzzles-web.md"));

        Assert.Contains($"| `Isrm:Puzzles:{key}` | {value} |", manual[manual.IndexOf("## Limits", StringComparison.Ordinal)..]);
        object defaults = typeof(PuzzleOptions).GetProperty(key)!.GetValue(new PuzzleOptions())!;
        Assert.Equal(value, System.Text.Json.JsonSerializer.Serialize(defaults));
    }

    [Theory]
    [InlineData("Isrm:Puzzles:MaxK", "0", "Isrm:Puzzles:MaxK must be at least 1.")]
    [InlineData("Isrm:Puzzles:MaxMazeSize", "1", "Isrm:Puzzles:MaxMazeSize must be at least 2.")]
    [InlineData("Isrm:Puzzles:QueueCapacity", "-1", "Isrm:Puzzles:QueueCapacity must be 0 or more.")]
    public void An_out_of_range_puzzle_setting_fails_the_start_up_check_with_its_sentence(string key, string value, string sentence)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>(key, value)]).Build();
        using ServiceProvider services = new ServiceCollection().AddIsrmPuzzles(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(sentence, error.Failures);
    }

    private static async IAsyncEnumerable<RefinementFrame> Never(SolveRequest request, [EnumeratorCancellation] CancellationToken c)
    {
        await Task.Yield();
        throw new InvalidOperationException("this test does not solve");
#pragma warning disable CS0162
        yield break;
#pragma warning restore CS0162
    }

    private static async IAsyncEnumerable<RefinementFrame> Refuse(string message)
    {
        await Task.Yield();
        yield return new ErrorFrame(message);
    }

    private static async IAsyncEnumerable<RefinementFrame> Script(SolveRequest request, int steps, int solvedAt, [EnumeratorCancellation] CancellationToken c)
    {
        Puzzle p = SolveRequestValidator.Instance(request, MazesTask.Instance, Limits, out _)!;
        yield return PuzzleView.StartOf(p, request.Checkpoint!, steps, steps);
        for (int s = 1; s <= steps; s++)
        {
            await Task.Yield();
            bool solved = s >= solvedAt;
            yield return new PuzzleStepFrame(s, new byte[p.CellCount], solved ? p.CellCount : p.CellCount - 3, p.CellCount, 1, solved, solved ? solvedAt : null, s);
        }
        yield return new PuzzleDoneFrame(steps, true, solvedAt, p.CellCount, p.CellCount, "k", steps);
    }

    private static async IAsyncEnumerable<RefinementFrame> Endless(SolveRequest request, [EnumeratorCancellation] CancellationToken c, TaskCompletionSource cancelled)
    {
        Puzzle p = SolveRequestValidator.Instance(request, MazesTask.Instance, Limits, out _)!;
        using var registration = c.Register(() => cancelled.TrySetResult());
        yield return PuzzleView.StartOf(p, request.Checkpoint!, null, 1 << 20);
        for (int s = 1; ; s++)
        {
            await Task.Delay(1, CancellationToken.None);
            yield return new PuzzleStepFrame(s, new byte[p.CellCount], 0, p.CellCount, 0, false, null, s);
        }
    }
}
