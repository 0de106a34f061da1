namespace Isrm.Tests;

/// <summary>
/// The programs of this host that the browser, Redis and PyTorch tests drive, provisioned once per test run: the
/// first test to ask runs <see cref="ToolProvisioner"/> under a lock file (other test processes wait and then find
/// what it installed); a missing tool fails its tests with one sentence naming the install command.
/// </summary>
public static class HostTools
{
    private static readonly Lazy<ProvisionedTools> Tools = new(ProvisionUnderLock, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Chromium => Tools.Value.Chromium ?? throw Missing("Chromium");
    public static string RedisServer => Tools.Value.RedisServer ?? throw Missing("redis-server");
    public static string TorchPython => Tools.Value.TorchPython ?? throw Missing("PyTorch");

    private static InvalidOperationException Missing(string what) =>
        new(Tools.Value.Problems.First(p => p.Contains(what, StringComparison.Ordinal)));

    private static ProvisionedTools ProvisionUnderLock()
    {
        ProvisioningHost host = ProvisioningHost.Real();
        using FileStream held = Lock(host.LockFile, TimeSpan.FromMinutes(30)); // an apt-get install of all three takes minutes
        return new ToolProvisioner(host).Provision();
    }

    /// <summary>An exclusive open of the lock file, retried until the holder (another test process) closes it.</summary>
    internal static FileStream Lock(string path, TimeSpan patience)
    {
        DateTime deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
            }
        }
    }
}
