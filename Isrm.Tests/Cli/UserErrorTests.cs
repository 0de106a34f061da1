using Isrm.Model.Checkpoints;
using Xunit.Abstractions;
using static Isrm.Tests.Foundation.CommandLineTests;

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
    public void A_bad_K(string loops) => AssertOneLineError(Generate("--prompt", "hi", "--loops", loops), "--loops");

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
        Isrm.Tests.Model.TinyModels.SaveCheckpoint(directory);
        string weights = Path.Combine(directory, Checkpoint.WeightsFile);
        using (var stream = new FileStream(weights, FileMode.Open)) stream.SetLength(100);
        AssertOneLineError(RunIsrm("generate", "--checkpoint", directory, "--prompt", "hi"), "truncated");
    }
}
