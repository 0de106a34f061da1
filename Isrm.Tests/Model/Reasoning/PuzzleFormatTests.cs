namespace Isrm.Tests.Model.Reasoning;

/// <summary>The plain puzzle files: round trips, computed ground truth, and one sentence for every hostile input.</summary>
public class PuzzleFormatTests
{
    [Fact]
    public void Prefix_sum_target_is_the_parity_so_far()
    {
        Puzzle p = Assert.Single(PuzzleFormat.Read(PrefixSumsTask.Instance, "0110100\n"));
        Assert.Equal(new[] { false, true, false, false, true, true, true }, p.Target);
        var random = new Random(2);
        for (int i = 0; i < 50; i++)
        {
            Puzzle q = PrefixSumsTask.Random(1 + random.Next(64), random);
            for (int j = 0; j < q.Size; j++)
                Assert.Equal(q.Cells.Take(j + 1).Sum(b => b) % 2 == 1, q.Target[j]);
        }
    }

    [Theory]
    [InlineData("prefix-sums")]
    [InlineData("mazes")]
    public void Written_files_read_back_to_the_same_instances(string taskName)
    {
        PuzzleTask task = PuzzleTasks.Parse(taskName);
        var source = new PuzzleSource(task, task == MazesTask.Instance ? [2, 5, 9] : [1, 7, 33], ["wilson", "division"]);
        List<Puzzle> written = source.Instances(4, 1).ToList();
        IReadOnlyList<Puzzle> read = PuzzleFormat.Read(task, PuzzleFormat.WriteAll(written));
        Assert.Equal(written.Count, read.Count);
        for (int i = 0; i < written.Count; i++)
        {
            Assert.Equal(written[i].Cells, read[i].Cells);
            Assert.Equal(written[i].Target, read[i].Target);
            Assert.Equal(written[i].Size, read[i].Size);
        }
    }

    [Fact]
    public void A_maze_with_a_loop_is_accepted_when_its_shortest_path_is_unique()
    {
        const string looped = "#######\n#.S...#\n#.###.#\n#....E#\n#.###.#\n#.....#\n#######";
        Puzzle p = Assert.Single(PuzzleFormat.Read(MazesTask.Instance, looped));
        Assert.Equal(6, p.Target.Count(t => t));   // S, three cells right, two down to E
        Assert.False(Maze.IsPerfect(p.Cells, p.Height, p.Width));
        Assert.True(p.Target[Array.IndexOf(p.Cells, Maze.End)]);
    }

    [Theory]
    [InlineData("#####\n#S.E#\n####\n#####\n#####", "same length")]
    [InlineData("#####\n#..E#\n#####\n#####\n#####", "exactly one S and one E")]
    [InlineData("#####\n#S..#\n#####\n#####\n#####", "exactly one S and one E")]
    [InlineData("#####\n#SSE#\n#####\n#####\n#####", "exactly one S and one E")]
    [InlineData("#####\n#S#E#\n#####\n#####\n#####", "no path from S to E")]
    [InlineData("#####\n#S..#\n#...#\n#..E#\n#####", "more than one shortest path")]
    [InlineData("#####\n#S.E#\n#####", "square")]
    [InlineData("####\n#SE#\n#..#\n####", "odd side")]
    [InlineData("#####\n#S.x#\n#..E#\n#####\n#####", "only #, ., S and E")]
    [InlineData("\n\n", "holds no mazes")]
    public void Hostile_maze_text_gets_one_sentence(string text, string expected)
    {
        var e = Assert.Throws<PuzzleFormatException>(() => PuzzleFormat.Read(MazesTask.Instance, text));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Hostile_bit_strings_and_huge_inputs_get_one_sentence()
    {
        Assert.Contains("only 0 and 1", Assert.Throws<PuzzleFormatException>(() => PuzzleFormat.Read(PrefixSumsTask.Instance, "0101\n0121\n")).Message);
        Assert.Contains("line 2", Assert.Throws<PuzzleFormatException>(() => PuzzleFormat.Read(PrefixSumsTask.Instance, "0101\n0121\n")).Message);
        var small = new PuzzleLimits { MaxBits = 8, MaxMazeSize = 3 };
        Assert.Contains("limit", Assert.Throws<PuzzleFormatException>(() => PuzzleFormat.Read(PrefixSumsTask.Instance, new string('1', 9), small)).Message);
        string big = MazeGenerator.Generate(4, MazeAlgorithm.Dfs, new Random(1)).ToText();
        Assert.Contains("larger than the limit", Assert.Throws<PuzzleFormatException>(() => PuzzleFormat.Read(MazesTask.Instance, big, small)).Message);
        Assert.Contains("does not exist", Assert.Throws<PuzzleFormatException>(() => PuzzleFormat.ReadFile(MazesTask.Instance, "/nonexistent/file.txt")).Message);
        Assert.Contains("unknown task", Assert.Throws<PuzzleFormatException>(() => PuzzleTasks.Parse("sudoku")).Message);
    }
}
