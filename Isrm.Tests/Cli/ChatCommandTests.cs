namespace Isrm.Tests.Cli;

/// <summary><c>isrm chat</c> answers each stdin line, changes K with <c>/k N</c> and leaves on <c>/quit</c>.</summary>
public class ChatCommandTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>
{
    private static (int Code, string Out, string Err) RunWithInput(string input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "isrm.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "chat did not end");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Answers_each_line_switches_K_and_quits()
    {
        var (code, stdout, stderr) = RunWithInput("hello there\n/k 2\nand again\n/k abc\n/quit\nnever read\n",
            "chat", "--checkpoint", tiny.Directory, "--k", "3", "--max-tokens", "5", "--threads", "1", "--temperature", "0");
        output.WriteLine($"exit {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");

        Assert.Equal(0, code);
        Assert.Contains("at K = 3", stdout);
        Assert.Contains("K = 2.", stdout);
        string[] stats = stderr.Split('\n').Where(l => l.Contains("steps per token")).ToArray();
        Assert.Equal(2, stats.Length);
        Assert.Contains("3.0 steps per token", stats[0]);
        Assert.Contains("2.0 steps per token", stats[1]);
        Assert.Contains("/k must be an integer from 1 to", stderr);
    }

    [Fact]
    public void End_of_input_ends_the_chat_cleanly()
    {
        var (code, stdout, _) = RunWithInput("", "chat", "--checkpoint", tiny.Directory, "--threads", "1");
        Assert.Equal(0, code);
        Assert.Contains("Chatting with tiny", stdout);
    }

    [Fact]
    public void A_line_with_control_characters_is_refused_and_a_one_megabyte_line_is_answered()
    {
        string huge = new string('a', 1 << 20);
        var (code, stdout, stderr) = RunWithInput($"ring\u0007bell\n{huge}\n/quit\n",
            "chat", "--checkpoint", tiny.Directory, "--k", "2", "--max-tokens", "2", "--threads", "1", "--temperature", "0");
        output.WriteLine($"exit {code}\n--- stderr\n{stderr}");

        Assert.Equal(0, code);
        Assert.Contains("The prompt's character 4 is the control character U+0007", stderr);
        Assert.Single(stderr.Split('\n'), l => l.Contains("steps per token"));
    }
}
