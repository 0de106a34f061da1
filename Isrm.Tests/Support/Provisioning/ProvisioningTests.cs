namespace Isrm.Tests.Support.Provisioning;

/// <summary>
/// The provisioning logic on a fake host: an empty PATH, fake Debian folders, and fake apt-get / systemctl / python3
/// scripts that record their calls — so what a fresh machine would get is checked without touching this one.
/// </summary>
public sealed class ProvisioningTests : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly string _system, _path, _calls;

    public ProvisioningTests()
    {
        _system = Directory.CreateDirectory(_root.Combine("usr-bin")).FullName;
        _path = Directory.CreateDirectory(_root.Combine("path")).FullName;
        _calls = _root.Combine("calls.log");
        File.WriteAllText(_calls, "");
        // python3 imports torch only once python3-torch is "installed" (a marker file the fake apt-get writes).
        Script(_system, "python3", $"[ \"$1 $2\" = '-c import torch' ] && [ -e '{_root.Combine("torch-installed")}' ]");
        Script(_system, "systemctl", $"echo \"systemctl $*\" >> '{_calls}'");
    }

    public void Dispose() => _root.Dispose();

    private ProvisioningHost Host(bool root, Dictionary<string, string>? environment = null) => new()
    {
        SearchPath = _path,
        SystemDirectories = [_system],
        Environment = name => environment?.GetValueOrDefault(name),
        IsRoot = root,
        SystemdMarker = _system,   // exists: behave as a systemd host
        LockFile = _root.Combine("lock"),
    };

    private static string Script(string dir, string name, string body)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>A fake apt-get: records each call and its DEBIAN_FRONTEND; `install` creates the packages' executables.</summary>
    private void FakeApt() => Script(_system, "apt-get", $"""
        echo "apt-get $* [$DEBIAN_FRONTEND]" >> '{_calls}'
        if [ "$3" = install ]; then
          for p in "$@"; do
            case "$p" in
              chromium) printf '#!/bin/sh\n' > '{_system}/chromium'; chmod +x '{_system}/chromium' ;;
              redis-server) printf '#!/bin/sh\n' > '{_system}/redis-server'; chmod +x '{_system}/redis-server' ;;
              python3-torch) touch '{_root.Combine("torch-installed")}' ;;
            esac
          done
        fi
        """);

    private string[] Calls() => File.ReadAllLines(_calls);

    [Fact]
    public void As_root_on_a_bare_host_one_update_and_one_install_bring_all_three_and_the_packaged_redis_is_stopped()
    {
        FakeApt();
        var provisioner = new ToolProvisioner(Host(root: true));
        ProvisionedTools tools = provisioner.Provision();

        Assert.Equal(
            ["apt-get -o DPkg::Lock::Timeout=600 update -qq [noninteractive]",
             "apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium redis-server python3-torch [noninteractive]",
             "systemctl disable --now redis-server"],
            Calls());
        Assert.Equal(Path.Combine(_system, "chromium"), tools.Chromium);
        Assert.Equal(Path.Combine(_system, "redis-server"), tools.RedisServer);
        Assert.Equal(Path.Combine(_system, "python3"), tools.TorchPython);
        Assert.Empty(tools.Problems);
    }

    [Fact]
    public void Only_the_missing_packages_are_installed_and_nothing_when_all_are_present()
    {
        FakeApt();
        Script(_path, "redis-server", "true");
        File.WriteAllText(_root.Combine("torch-installed"), "");
        new ToolProvisioner(Host(root: true)).Provision();
        Assert.Contains("apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium [noninteractive]", Calls());
        Assert.DoesNotContain(Calls(), c => c.StartsWith("systemctl", StringComparison.Ordinal));

        File.WriteAllText(_calls, "");
        ProvisionedTools again = new ToolProvisioner(Host(root: true)).Provision();
        Assert.Empty(Calls());
        Assert.Equal(Path.Combine(_path, "redis-server"), again.RedisServer);   // PATH before Debian's folders
    }

    [Fact]
    public void Without_root_nothing_is_installed_and_each_missing_tool_is_one_sentence_naming_its_install_command()
    {
        FakeApt();
        ProvisionedTools tools = new ToolProvisioner(Host(root: false)).Provision();
        Assert.Empty(Calls());
        Assert.Null(tools.Chromium);
        Assert.Null(tools.RedisServer);
        Assert.Null(tools.TorchPython);
        Assert.Equal(3, tools.Problems.Count);
        foreach ((string problem, string package) in tools.Problems.Zip(new[] { "chromium", "redis-server", "python3-torch" }))
        {
            Assert.Contains($"`sudo apt-get install -y {package}`", problem);
            Assert.Single(problem.Split(". ", StringSplitOptions.None));   // one sentence
            Assert.EndsWith(".", problem);
        }
    }

    [Fact]
    public void An_installed_chrome_or_edge_on_path_or_the_readme_variable_is_used_instead_of_installing()
    {
        FakeApt();
        string chrome = Script(_path, "google-chrome", "true");
        Assert.Equal(chrome, new ToolProvisioner(Host(root: false)).Provision().Chromium);

        File.Delete(chrome);
        string edge = Script(_path, "microsoft-edge", "true");
        Assert.Equal(edge, new ToolProvisioner(Host(root: false)).Provision().Chromium);

        string elsewhere = Script(Directory.CreateDirectory(_root.Combine("opt")).FullName, "my-browser", "true");
        var environment = new Dictionary<string, string> { [ToolProvisioner.ChromiumVariable] = elsewhere };
        Assert.Equal(elsewhere, new ToolProvisioner(Host(root: false, environment)).Provision().Chromium);
        Assert.Empty(Calls());
    }

    [Fact]
    public void Without_apt_get_a_root_user_gets_the_same_sentences()
    {
        ProvisionedTools tools = new ToolProvisioner(Host(root: true)).Provision();
        Assert.Equal(3, tools.Problems.Count);
        Assert.Empty(Calls());
    }

    [Fact]
    public void The_lock_file_lets_one_holder_at_a_time_in()
    {
        string path = _root.Combine("lock");
        using (FileStream first = HostTools.Lock(path, TimeSpan.FromSeconds(1)))
            Assert.Throws<IOException>(() => HostTools.Lock(path, TimeSpan.FromMilliseconds(300)));
        using FileStream after = HostTools.Lock(path, TimeSpan.FromSeconds(1));
        Assert.True(after.CanWrite);
    }
}
