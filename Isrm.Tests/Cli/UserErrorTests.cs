namespace Isrm.Tests.Cli;

/// <summary>Every mistake a user can make gives one sentence on stderr and exit code 1, never a stack trace.</summary>
public class UserErrorTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>
{
    private void AssertOneLineError((int Code, string Out, string Err) result, string mustContain)
    {
        output.WriteLine($"exit {result.Code}; stderr: {result.Err}");
        Assert.Equal(1, result.Code);
        string[] lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.DoesNotContain(" at ", lines[0].Replace("at least", "").Replace(" at K", ""));
        Assert.DoesNotContain("Exception", lines[0]);
        Assert.Contains(mustContain, lines[0], StringComparison.OrdinalIgnoreCase);
    }

    private (int, string, string) Generate(params string[] extra) =>
        RunIsrm(["generate", "--checkpoint", tiny.Directory, "--threads", "1", .. extra]);

    [Fact]
    public void A_missing_checkpoint_folder()
    {
        AssertOneLineError(RunIsrm("generate", "--checkpoint", tiny.Combine("absent"), "--prompt", "hi"), "does not exist");
        AssertOneLineError(RunIsrm("info", "--checkpoint", tiny.Combine("absent")), "does not exist");
        AssertOneLineError(RunIsrm("chat", "--checkpoint", tiny.Combine("absent")), "does not exist");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("-2")]
    [InlineData("")]
    public void A_bad_K(string k) => AssertOneLineError(Generate("--prompt", "hi", "--k", k), "--k");

    [Fact]
    public void An_empty_prompt() => AssertOneLineError(Generate("--prompt", ""), "prompt");

    [Theory]
    [InlineData("--temperature", "NaN", "--temperature")]
    [InlineData("--temperature", "-1", "--temperature")]
    [InlineData("--top-p", "0", "--top-p")]
    [InlineData("--top-p", "1.5", "--top-p")]
    [InlineData("--max-tokens", "abc", "--max-tokens")]
    [InlineData("--device", "tpu", "device")]
    public void A_bad_sampling_or_run_setting(string option, string value, string mustContain) =>
        AssertOneLineError(Generate("--prompt", "hi", option, value), mustContain);

    [Fact]
    public void A_truncated_checkpoint()
    {
        string directory = tiny.Combine("truncated");
        TinyModels.SaveCheckpoint(directory);
        string weights = Path.Combine(directory, Checkpoint.WeightsFile);
        using (var stream = new FileStream(weights, FileMode.Open)) stream.SetLength(100);
        AssertOneLineError(RunIsrm("generate", "--checkpoint", directory, "--prompt", "hi"), "truncated");
    }

    [Theory]
    [InlineData("ab\u0001c", "character 2 is the control character U+0001")]
    [InlineData("\u001b[2J", "character 0 is the control character U+001B")]
    public void A_prompt_with_control_characters(string prompt, string mustContain) =>
        AssertOneLineError(Generate("--prompt", prompt), mustContain);

    [Theory]
    [InlineData("1000000", "--cap")]
    [InlineData("99999999999", "--k must be an integer from 1 to 256")]
    public void A_huge_K(string loops, string mustContain) =>
        AssertOneLineError(Generate("--prompt", "hi", "--k", loops), mustContain);

    [Fact]
    public void A_checkpoint_path_that_climbs_out_or_names_a_folder_that_is_no_checkpoint()
    {
        string notACheckpoint = tiny.Combine("just-a-folder");
        Directory.CreateDirectory(notACheckpoint);

        AssertOneLineError(RunIsrm("generate", "--checkpoint", "../../no-such-isrm-checkpoint", "--prompt", "hi"), "does not exist");
        AssertOneLineError(RunIsrm("generate", "--checkpoint", notACheckpoint, "--prompt", "hi"), "is not a checkpoint");
        AssertOneLineError(RunIsrm("info", "--checkpoint", "/"), "is not a checkpoint");
    }

    [Fact]
    public void A_prompt_longer_than_the_context_is_cut_to_its_end_with_a_note()
    {
        // 100 KB: one command-line argument may hold at most 128 KiB on Linux, so a 1 MB prompt cannot reach --prompt.
        var (code, stdout, stderr) = Generate("--prompt", new string('a', 100_000), "--max-tokens", "2", "--temperature", "0");
        output.WriteLine($"exit {code}; stderr: {stderr}");

        Assert.Equal(0, code);
        Assert.Contains("Note: the prompt is 100000 tokens; the model reads only the last", stderr);
        Assert.NotEmpty(stdout.Trim());
    }
}
