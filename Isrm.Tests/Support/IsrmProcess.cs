namespace Isrm.Tests;

/// <summary>Starts the built <c>isrm</c> as a child process (the way a user runs it) and lets a test signal or kill it.</summary>
internal sealed class IsrmProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout, _stderr;

    public IsrmProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "isrm.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        _process = Process.Start(start)!;
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    /// <summary>
    /// Sends SIGINT, as Ctrl-C in a terminal does — unless this test run inherited SIGINT as ignored (a job started
    /// in the background of a non-interactive shell), in which the child ignores it too; then SIGTERM, the other
    /// stop signal train handles the same way.
    /// </summary>
    public void Interrupt() => Process.Start("kill", [SigIntIgnored() ? "-TERM" : "-INT", _process.Id.ToString()])!.WaitForExit();

    private static bool SigIntIgnored()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:"));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;
    }

    public void KillHard() => _process.Kill();

    public (int ExitCode, string Out, string Err) WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) { _process.Kill(); throw new TimeoutException("isrm did not exit in time"); }
        _process.WaitForExit();
        return (_process.ExitCode, _stdout.Result, _stderr.Result);
    }

    /// <summary>True if the process ended within the timeout; never kills it.</summary>
    public bool WaitForExitQuietly(TimeSpan timeout) => _process.WaitForExit(timeout);

    public static (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        using var process = new IsrmProcess(args);
        return process.WaitForExit(TimeSpan.FromMinutes(2));
    }

    public void Dispose() => _process.Dispose();
}
