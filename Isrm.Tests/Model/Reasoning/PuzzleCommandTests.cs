namespace Isrm.Tests.Model.Reasoning;

/// <summary>The puzzle commands as a user runs them: data task → solve JSON, and one sentence for every bad input.</summary>
public class PuzzleCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"isrm-puzzle-cli-{Guid.NewGuid():N}");

    private string TinyCheckpoint()
    {
        string dir = Path.Combine(_root, "ckpt");
        var options = new PuzzleTrainingOptions { Out = dir, Sizes = [3], Steps = 2, Batch = 2, MaxIterations = 3, WarmupSteps = 1 };
        using var trainer = PuzzleTrainer.Start(new PuzzleNetConfig { Width = 4, Blocks = 1, HeadWidth = 2 }, options, "test");
        trainer.Run(_ => { }, CancellationToken.None);
        return dir;
    }

    private static void AssertOneSentence((int Code, string Out, string Err) result, string mustContain)
    {
        Assert.Equal(1, result.Code);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Exception", line);
        Assert.Contains(mustContain, line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Data_task_then_solve_writes_the_json_of_issue_12()
    {
        Directory.CreateDirectory(_root);
        string file = Path.Combine(_root, "mazes.txt"), json = Path.Combine(_root, "r.json");
        var made = RunIsrm("data", "task", "mazes", "--sizes", "3,4", "--count", "3", "--generator", "prim,division", "--out", file);
        Assert.Equal(0, made.ExitCode);
        Assert.Equal(6, PuzzleFormat.ReadFile(MazesTask.Instance, file).Count);
        var solved = RunIsrm("solve", "--checkpoint", TinyCheckpoint(), "--input", file, "--k", "1,2,…,8,inf", "--cap", "20", "--json", json);
        Assert.True(solved.ExitCode == 0, solved.Err);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("mazes", doc.RootElement.GetProperty("task").GetString());
        JsonElement[] rows = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(10, rows.Length);   // sizes 3 and 4 × K 1, 2, 4, 8, inf
        Assert.Equal(["1", "2", "4", "8", "inf"], rows.Take(5).Select(r => r.GetProperty("k").GetString()));
        foreach (JsonElement r in rows)
        {
            Assert.Equal(3, r.GetProperty("instances").GetInt32());
            foreach (string field in new[] { "size", "solved", "accuracy", "positionAccuracy", "meanK" }) Assert.True(r.TryGetProperty(field, out _), field);
        }
        Assert.Equal(JsonValueKind.Number, rows[4].GetProperty("meanK").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("meanK").ValueKind);
    }

    [Fact]
    public void Bad_inputs_get_one_sentence()
    {
        Directory.CreateDirectory(_root);
        string ckpt = TinyCheckpoint(), ragged = Path.Combine(_root, "ragged.txt");
        File.WriteAllText(ragged, "#####\n#S.E#\n###\n#####\n#####\n");
        AssertOneSentence(RunIsrm("solve", "--checkpoint", ckpt, "--input", ragged), "same length");
        AssertOneSentence(RunIsrm("solve", "--checkpoint", ckpt, "--input", Path.Combine(_root, "absent.txt")), "does not exist");
        AssertOneSentence(RunIsrm("solve", "--checkpoint", Path.Combine(_root, "nothing"), "--input", ragged), "does not exist");
        AssertOneSentence(RunIsrm("solve", "--checkpoint", ckpt, "--input", ragged, "--k", "0"), "--k");
        AssertOneSentence(RunIsrm("solve", "--checkpoint", ckpt, "--input", ragged, "--k", "5000"), "cap");
        AssertOneSentence(RunIsrm("data", "task", "sudoku", "--sizes", "3", "--out", ragged), "unknown task");
        AssertOneSentence(RunIsrm("data", "task", "mazes", "--sizes", "3", "--generator", "eller", "--out", ragged), "unknown maze generator");
        AssertOneSentence(RunIsrm("train", "--task", "mazes", "--sizes", "1", "--out", Path.Combine(_root, "t")), "size 1");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
