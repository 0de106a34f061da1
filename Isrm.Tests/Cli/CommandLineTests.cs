namespace Isrm.Tests.Cli;

/// <summary>The <c>isrm</c> executable lists its commands.</summary>
public class CommandLineTests
{
    internal static (int ExitCode, string Out, string Err) RunIsrm(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "isrm.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Help_lists_every_command()
    {
        var (code, output, _) = RunIsrm("--help");
        Assert.Equal(0, code);
        foreach (string command in new[] { "data", "train", "eval", "generate", "chat", "info" })
            Assert.Matches($@"(?m)^\s+{command}\s", output);
        Assert.DoesNotMatch(@"(?m)^\s+bench", output);   // benchmarks are tooling: isrm-bench (project Isrm.Bench)
    }
}
