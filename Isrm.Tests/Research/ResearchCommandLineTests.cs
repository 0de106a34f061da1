namespace Isrm.Tests.Research;

/// <summary>
/// <c>isrm-research</c> answers a bad number with one sentence before anything runs (it once trained 0 steps for
/// <c>--steps -1</c> and reported the untrained model), and says when an old option name was used.
/// </summary>
public sealed class ResearchCommandLineTests
{
    [Theory]
    [InlineData("classify-e2e", "--steps", "-1", "--steps must be a whole number from 1 to 100,000,000 (got -1).")]
    [InlineData("recall", "--batch", "0", "--batch must be a whole number from 1 to 1,000,000 (got 0).")]
    [InlineData("compress-e2e", "--lr", "-3", "--lr must be")]
    [InlineData("critic-ci", "--k", "x", "--k")]
    public void A_bad_number_is_one_sentence_naming_the_option(string command, string option, string value, string sentence)
    {
        string[] required = command switch
        {
            "classify-e2e" or "critic-ci" => ["--checkpoint", Repository.Combine("checkpoints", "rlm-small"), "--corpus", Repository.Combine("reports")],
            "compress-e2e" => ["--family", "rlm", "--corpus", Repository.Combine("reports"), "--json", Path.Combine(Path.GetTempPath(), "never-written.json")],
            _ => ["--family", "rlm", "--out", Path.Combine(Path.GetTempPath(), "never-written")],
        };
        var (code, output, errors) = BenchCommandTests.RunResearch([command, .. required, option, value]);
        Assert.Equal(1, code);
        Assert.Contains(sentence, errors);
        Assert.DoesNotContain("   at ", errors);
        Assert.Equal("", output);
    }

    [Fact]
    public void The_old_name_loops_works_and_says_its_new_name()
    {
        var (code, _, errors) = BenchCommandTests.RunResearch("critic-ci", "--checkpoint", Repository.Combine("checkpoints", "rlm-small"),
            "--corpus", Repository.Combine("reports"), "--loops", "2", "--prompts", "1");
        Assert.Equal(1, code);   // refused for --prompts, after the note
        Assert.Contains("--loops is the old name of --k", errors);
        Assert.Contains("--prompts and --candidates must each be at least 2.", errors);
    }

    [Theory]
    [InlineData("classify-e2e")]
    [InlineData("critic-ci")]
    [InlineData("curvature")]
    public void An_existing_json_file_is_kept_unless_force_before_any_work(string command)
    {
        using var temp = new TempFolder();
        string results = temp.Combine("results.json");
        File.WriteAllText(results, "a user's file");
        var (code, _, errors) = BenchCommandTests.RunResearch(command, "--checkpoint", Repository.Combine("checkpoints", "rlm-small"),
            "--corpus", Repository.Combine("reports"), "--json", results);
        Assert.Equal(1, code);
        Assert.Contains("--force", errors);
        Assert.Equal("a user's file", File.ReadAllText(results));
    }
}
