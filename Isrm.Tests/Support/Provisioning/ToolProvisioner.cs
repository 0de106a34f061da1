namespace Isrm.Tests;

/// <summary>Where the provisioner looks and what it may do; the real host by default, a fake one in its own tests.</summary>
public sealed record ProvisioningHost
{
    /// <summary>The PATH to search, in order.</summary>
    public required string SearchPath { get; init; }
    /// <summary>Debian's own folders, searched before PATH for python3 (pyenv's python3 shadows Debian's) and after it for the rest.</summary>
    public IReadOnlyList<string> SystemDirectories { get; init; } = ["/usr/bin", "/usr/sbin", "/bin", "/sbin"];
    public required Func<string, string?> Environment { get; init; }
    /// <summary>Root may install Debian packages with apt-get.</summary>
    public required bool IsRoot { get; init; }
    /// <summary>The folder whose presence says systemd runs this host (a packaged service is then disabled with systemctl).</summary>
    public string SystemdMarker { get; init; } = "/run/systemd/system";
    /// <summary>Cross-process lock: several test processes (or fixtures) may ask at once; one installs, the others wait.</summary>
    public string LockFile { get; init; } = Path.Combine(Path.GetTempPath(), "isrm-test-provisioning.lock");

    public static ProvisioningHost Real() => new()
    {
        SearchPath = System.Environment.GetEnvironmentVariable("PATH") ?? "",
        Environment = System.Environment.GetEnvironmentVariable,
        IsRoot = OperatingSystem.IsLinux() && System.Environment.IsPrivilegedProcess,
    };
}

/// <summary>The external programs the test suite drives, found or installed once.</summary>
public sealed record ProvisionedTools(string? Chromium, string? RedisServer, string? TorchPython, IReadOnlyList<string> Problems);

/// <summary>
/// Finds Chromium (or Chrome / Edge), redis-server and a python3 that imports torch; when running as root on Debian
/// and some are missing, installs Debian's <c>chromium</c>, <c>redis-server</c> and <c>python3-torch</c> in one
/// apt-get call (after one apt-get update) and stops the packaged Redis service again. What it cannot provide is
/// reported in one sentence naming the install command.
/// </summary>
public sealed class ToolProvisioner(ProvisioningHost host)
{
    public const string ChromiumVariable = "ISRM_CHROMIUM";
    public const string RedisVariable = "ISRM_REDIS_SERVER";
    public const string PythonVariable = "ISRM_PYTHON";

    private static readonly string[] BrowserNames =
        ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "microsoft-edge", "microsoft-edge-stable", "msedge"];
    private static readonly string[] MacBrowsers =
    [
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    ];

    /// <summary>Commands run, in order (program and arguments), for the tests of this class.</summary>
    public List<string> Log { get; } = [];

    public ProvisionedTools Provision()
    {
        string? chromium = FindChromium(), redis = FindRedis(), python = FindTorchPython();
        var missing = new List<string>();
        if (chromium is null) missing.Add("chromium");
        if (redis is null) missing.Add("redis-server");
        if (python is null) missing.Add("python3-torch");
        if (missing.Count > 0 && host.IsRoot && Find("apt-get", systemFirst: true) is string apt)
        {
            var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            // Another installer (a second test process, an unattended upgrade) may hold dpkg's lock: wait for it.
            string[] wait = ["-o", "DPkg::Lock::Timeout=600"];
            bool updated = Run(apt, [.. wait, "update", "-qq"], environment);
            if (updated) Run(apt, [.. wait, "install", "-y", "-qq", "--no-install-recommends", .. missing], environment);
            if (missing.Contains("redis-server")) StopPackagedRedis();
            chromium ??= FindChromium();
            redis ??= FindRedis();
            python ??= FindTorchPython();
        }
        var problems = new List<string>();
        if (chromium is null)
            problems.Add($"No Chromium, Chrome or Edge was found: install one with `sudo apt-get install -y chromium` or set {ChromiumVariable} to its executable.");
        if (redis is null)
            problems.Add($"redis-server was not found: install it with `sudo apt-get install -y redis-server` or set {RedisVariable} to its executable.");
        if (python is null)
            problems.Add($"No python3 with PyTorch was found: install it with `sudo apt-get install -y python3-torch` or set {PythonVariable} to a python that imports torch.");
        return new ProvisionedTools(chromium, redis, python, problems);
    }

    /// <summary>The install starts the packaged service (6379) on a systemd host or through its init script; the tests start their own.</summary>
    private void StopPackagedRedis()
    {
        if (Directory.Exists(host.SystemdMarker) && Find("systemctl", systemFirst: true) is string systemctl)
            Run(systemctl, ["disable", "--now", "redis-server"]);
        else if (Find("service", systemFirst: true) is string service)
            Run(service, ["redis-server", "stop"]);
    }

    private string? FindChromium()
    {
        if (FromVariable(ChromiumVariable) is string chosen) return chosen;
        foreach (string name in BrowserNames)
            if (Find(name, systemFirst: false) is string found) return found;
        if (!OperatingSystem.IsMacOS()) return null;
        return MacBrowsers.FirstOrDefault(File.Exists);
    }

    private string? FindRedis() => FromVariable(RedisVariable) ?? Find("redis-server", systemFirst: false);

    private string? FindTorchPython()
    {
        if (FromVariable(PythonVariable) is string chosen) return ImportsTorch(chosen) ? chosen : null;
        IEnumerable<string> candidates = host.SystemDirectories.Concat(Directories(host.SearchPath))
            .Select(dir => Path.Combine(dir, "python3")).Where(File.Exists).Distinct();
        return candidates.FirstOrDefault(ImportsTorch);
    }

    private bool ImportsTorch(string python) => Run(python, ["-c", "import torch"], log: false);

    private string? FromVariable(string name) =>
        host.Environment(name) is { Length: > 0 } value && File.Exists(value) ? value : null;

    private string? Find(string name, bool systemFirst)
    {
        IEnumerable<string> path = Directories(host.SearchPath);
        IEnumerable<string> dirs = systemFirst ? host.SystemDirectories.Concat(path) : path.Concat(host.SystemDirectories);
        return dirs.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }

    private static IEnumerable<string> Directories(string path) =>
        path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

    private bool Run(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, bool log = true)
    {
        if (log) Log.Add(string.Join(' ', args.Prepend(Path.GetFileName(program))));
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        try
        {
            using Process process = Process.Start(start)!;
            process.StandardInput.Close();
            Task<string> output = process.StandardOutput.ReadToEndAsync(), errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            Task.WaitAll(output, errors);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;   // not executable here
        }
    }
}
