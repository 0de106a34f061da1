namespace Isrm.Tests.Cli;

/// <summary><c>isrm generate</c> prints text, is reproducible by seed, streams JSON events and shows the refinement table.</summary>
public class GenerateCommandTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>
{
    private (int Code, string Out, string Err) Generate(params string[] extra)
    {
        var result = RunIsrm(["generate", "--checkpoint", tiny.Directory, "--prompt", "Once upon", "--threads", "1", .. extra]);
        output.WriteLine($"exit {result.ExitCode}\n--- stdout\n{result.Out}\n--- stderr\n{result.Err}");
        return result;
    }

    [Fact]
    public void Prints_generated_text_and_the_same_seed_gives_the_same_text_again()
    {
        var first = Generate("--k", "3", "--max-tokens", "12", "--seed", "5", "--temperature", "1");
        var again = Generate("--k", "3", "--max-tokens", "12", "--seed", "5", "--temperature", "1");

        Assert.Equal(0, first.Code);
        Assert.NotEmpty(first.Out.TrimEnd('\n'));
        Assert.Equal(first.Out, again.Out);
        Assert.Contains("12 tokens", first.Err);
    }

    [Fact]
    public void Json_prints_one_event_per_line_with_its_kind()
    {
        var (code, stdout, _) = Generate("--k", "2", "--max-tokens", "3", "--json");

        Assert.Equal(0, code);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3 * (2 + 1) + 1, lines.Length);
        string[] kinds = lines.Select(line =>
        {
            using JsonDocument json = JsonDocument.Parse(line);
            return json.RootElement.GetProperty("kind").GetString()!;
        }).ToArray();
        Assert.Equal(new[] { "step", "step", "token", "step", "step", "token", "step", "step", "token", "done" }, kinds);
        using JsonDocument step = JsonDocument.Parse(lines[1]);
        foreach (string field in new[] { "tokenIndex", "step", "topTokens", "confidence", "entropy", "delta", "residual", "klToPrevious", "alpha", "haltProbability" })
            Assert.True(step.RootElement.TryGetProperty(field, out _), $"step event lacks {field}");
        Assert.Equal(2, step.RootElement.GetProperty("step").GetInt32());
    }

    [Fact]
    public void Debug_refinement_prints_a_step_table_for_the_first_N_tokens()
    {
        var (code, stdout, _) = Generate("--k", "4", "--max-tokens", "3", "--debug-refinement", "2");

        Assert.Equal(0, code);
        foreach (string column in new[] { "step", "α", "top tokens", "confidence", "entropy", "delta", "residual", "KL", "halt" })
            Assert.Contains(column, stdout);
        Assert.Contains("Token 0:", stdout);
        Assert.Contains("Token 1:", stdout);
        Assert.DoesNotContain("Token 2:", stdout);
        Assert.Contains("after 4 steps", stdout);
        Assert.Contains("Text: ", stdout);
    }

    [Fact]
    public void Loops_inf_refines_until_the_tolerance_and_reports_steps_per_token()
    {
        var (code, stdout, stderr) = Generate("--k", "inf", "--cap", "5", "--kl-tolerance", "1e-30", "--max-tokens", "2", "--json");

        Assert.Equal(0, code);
        Assert.Equal(2, stdout.Split('\n').Count(line => line.Contains("\"kind\":\"token\"") && line.Contains("\"stepsUsed\":5")));
        Assert.Empty(stderr);
    }
}
