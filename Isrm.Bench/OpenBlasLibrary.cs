namespace Isrm.Bench;

/// <summary>
/// Where an OpenBLAS <c>libblas.so.3</c> is, for Debian's <c>python3-torch</c>, which otherwise runs its matmuls on the
/// generic reference BLAS (a 1,280×96 by 96×384 product: about 34 ms against 3.5 ms with OpenBLAS, one thread). In
/// order: <c>ISRM_OPENBLAS</c>; the system's <c>openblas-pthread</c> folder; a copy unpacked earlier under
/// <c>~/.cache/isrm/openblas</c>; or Debian's <c>libopenblas0-pthread</c> fetched with <c>apt-get download</c> and
/// unpacked there with <c>dpkg -x</c> (no root needed, nothing installed). Point <c>LD_LIBRARY_PATH</c> at the folder.
/// </summary>
public static class OpenBlasLibrary
{
    public const string Variable = "ISRM_OPENBLAS", Package = "libopenblas0-pthread";

    /// <summary>The folder holding OpenBLAS's libblas.so.3, or null with <paramref name="problem"/> saying why (and how to get it).</summary>
    public static string? Folder(out string? problem, string? cache = null)
    {
        problem = null;
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } chosen)
        {
            if (File.Exists(Path.Combine(chosen, "libblas.so.3"))) return chosen;
            problem = $"{Variable} is set to '{chosen}', which holds no libblas.so.3.";
            return null;
        }
        if (Find("/") is string system) return system;
        cache ??= Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "isrm", "openblas");
        if (Find(cache) is string unpacked) return unpacked;
        if (!OperatingSystem.IsLinux() || Which("apt-get") is not string apt || Which("dpkg") is not string dpkg)
        {
            problem = $"OpenBLAS was not found and there is no apt-get and dpkg to fetch Debian's {Package}: set {Variable} to the folder of its libblas.so.3.";
            return null;
        }
        // Unpacked into a fresh folder that then takes the cache's place at once: a second process never sees half a copy.
        string work = cache + ".part-" + Environment.ProcessId;
        try
        {
            Directory.CreateDirectory(work);
            if (Run(apt, work, "download", Package) is string downloadError) { problem = $"apt-get download {Package} failed: {downloadError}"; return null; }
            string deb = Directory.GetFiles(work, "*.deb").Single();
            if (Run(dpkg, work, "-x", deb, Path.Combine(work, "root")) is string unpackError) { problem = $"dpkg -x {Path.GetFileName(deb)} failed: {unpackError}"; return null; }
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            try { Directory.Move(Path.Combine(work, "root"), cache); }
            catch (IOException) when (Find(cache) is not null) { }   // another process was first
            return Find(cache) ?? throw new InvalidOperationException($"{Package} holds no openblas-pthread/libblas.so.3.");
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    // usr/lib/<triplet>/openblas-pthread under root, when it holds libblas.so.3.
    private static string? Find(string root)
    {
        string lib = Path.Combine(root, "usr", "lib");
        if (!Directory.Exists(lib)) return null;
        return Directory.GetDirectories(lib).Select(d => Path.Combine(d, "openblas-pthread"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "libblas.so.3")));
    }

    private static string? Which(string name) => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    // Null on success, else the program's last line of error output.
    private static string? Run(string program, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(entireProcessTree: true); return "it took over 5 minutes"; }
        _ = stdout.Result;
        return process.ExitCode == 0 ? null
            : stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => !l.StartsWith("W:", StringComparison.Ordinal)) ?? $"exit code {process.ExitCode}";
    }
}
