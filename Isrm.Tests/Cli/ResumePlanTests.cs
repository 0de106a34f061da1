namespace Isrm.Tests.Cli;

/// <summary>Resume continues a run as it was planned, for text and puzzle runs alike; a change is refused or said.</summary>
public class ResumePlanTests(ITestOutputHelper output)
{
    private static string[] Text(TinyCorpus corpus, int steps) =>
        ["train", "--corpus", corpus.Directory, "--out", corpus.Out, "--steps", steps.ToString(), "--width", "48", "--batch", "2", "--context", "16", "--k-max", "2", "--warmup", "1", "--json"];

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var result = RunIsrm(args);
        output.WriteLine($"{string.Join(' ', args)} → {result.ExitCode}: {result.Err}");
        return result;
    }

    [Fact]
    public void A_text_run_resumes_with_its_own_step_count_and_refuses_a_new_shape()
    {
        using var corpus = new TinyCorpus();
        Assert.Equal(0, Run(Text(corpus, 2)).Code);
        // A run planned for 4 steps that stopped at 2 (as Ctrl-C leaves it).
        string state = Path.Combine(corpus.Out, Trainer.StateFile);
        JsonNode node = JsonNode.Parse(File.ReadAllText(state))!;
        node["options"]!["steps"] = 4;
        File.WriteAllText(state, node.ToJsonString());

        var refused = Run("train", "--out", corpus.Out, "--resume", "--width", "64");
        Assert.Equal(1, refused.Code);
        Assert.Contains("--width cannot change a resumed run", refused.Err);
        Assert.Equal(1, Run("train", "--out", corpus.Out, "--resume", "--steps", "1").Code);   // below the steps done

        var resumed = Run("train", "--out", corpus.Out, "--resume", "--json");
        Assert.Equal(0, resumed.Code);
        Assert.Equal(4, Checkpoint.Inspect(corpus.Out).Metadata.Step);   // not the default 2,000

        var finished = Run("train", "--out", corpus.Out, "--resume");
        Assert.Equal(0, finished.Code);
        Assert.Contains("has finished all 4 of its steps", finished.Err);
        Assert.Equal(4, Checkpoint.Inspect(corpus.Out).Metadata.Step);

        var extended = Run("train", "--out", corpus.Out, "--resume", "--steps", "5", "--json");
        Assert.Equal(0, extended.Code);
        Assert.Contains("Extending the run from 4 to 5 steps", extended.Err);
        foreach (string line in extended.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            JsonDocument.Parse(line);   // --json: every stdout line is one JSON object
    }

    [Fact]
    public void An_unknown_task_is_refused_before_out_is_claimed_so_force_empties_nothing()
    {
        using var temp = new TempFolder();
        string kept = Path.Combine(Directory.CreateDirectory(temp.Combine("mine")).FullName, "notes.txt");
        File.WriteAllText(kept, "a user's file");
        var refused = Run("train", "--task", "sudoku", "--sizes", "4", "--out", temp.Combine("mine"), "--force");
        Assert.Equal(1, refused.Code);
        Assert.Contains("unknown task 'sudoku': use mazes, prefix-sums, addition or parity.", refused.Err, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("a user's file", File.ReadAllText(kept));
    }

    [Fact]
    public void A_puzzle_run_is_not_restarted_over_and_says_when_its_budget_is_spent()
    {
        using var temp = new TempFolder();
        string run = temp.Combine("run");
        string[] start = ["train", "--task", "prefix-sums", "--sizes", "4", "--width", "4", "--blocks", "1", "--batch", "2", "--max-iters", "3", "--out", run];
        Assert.Equal(0, Run([.. start, "--steps", "2"]).Code);
        var again = Run([.. start, "--steps", "2"]);
        Assert.Equal(1, again.Code);
        Assert.Contains("already holds a training run", again.Err);
        Assert.Contains("--architecture cannot change a resumed run", Run("train", "--out", run, "--resume", "--architecture", "carry").Err);
        var finished = Run("train", "--out", run, "--resume");
        Assert.Equal(0, finished.Code);
        Assert.Contains("has finished all 2 of its steps", finished.Err);

        string budgeted = temp.Combine("budgeted");
        Assert.Equal(0, Run("train", "--task", "prefix-sums", "--sizes", "4", "--width", "4", "--blocks", "1", "--batch", "2", "--max-iters", "3", "--steps", "1000000", "--minutes", "0.01", "--out", budgeted).Code);
        var spent = Run("train", "--out", budgeted, "--resume");
        Assert.Equal(0, spent.Code);
        Assert.Contains("has used its whole budget", spent.Err);
    }
}
