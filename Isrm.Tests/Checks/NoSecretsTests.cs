namespace Isrm.Tests.Checks;

/// <summary>No private keys, passwords in connection strings or API keys in any file git tracks.</summary>
public sealed class NoSecretsTests
{
    // Assembled from parts so that this file does not match its own patterns.
    private static readonly (string Name, Regex Pattern)[] Patterns =
    [
        ("private key", new Regex("-----BEGIN ([A-Z]+ )?" + "PRIVATE KEY-----")),
        ("connection string with a password", new Regex(@"(?i)\b(password|pwd)\s*=\s*[^;""'\s{<$][^;""'\s]*\s*;")),
        ("AWS access key", new Regex(@"\bAKIA" + "[0-9A-Z]{16}\\b")),
        ("GitHub token", new Regex(@"\bgh[pousr]_" + "[A-Za-z0-9]{36}\\b")),
        ("Slack token", new Regex(@"\bxox[abpr]-" + "[A-Za-z0-9-]{10,}")),
        ("API key or secret assignment", new Regex(@"(?i)[""']?\b(api[_-]?key|secret|client[_-]?secret|access[_-]?token)[""']?\s*[:=]\s*[""'][A-Za-z0-9+/_\-]{16,}[""']")),
        ("URL with a password", new Regex(@"\b[a-z][a-z0-9+.-]*://[^/\s:@""']+:[^/\s:@""']+@")),
    ];

    [Fact]
    public void Tracked_text_files_hold_no_secrets()
    {
        var findings = new List<string>();
        int scanned = 0;
        foreach (string path in TrackedFiles())
        {
            string full = Path.Combine(Repository.Root, path);
            if (!File.Exists(full) || new FileInfo(full).Length > 2_000_000) continue;
            byte[] bytes = File.ReadAllBytes(full);
            if (Array.IndexOf(bytes, (byte)0) >= 0) continue;   // binary
            string text = System.Text.Encoding.UTF8.GetString(bytes);
            scanned++;
            foreach (var (name, pattern) in Patterns)
                foreach (Match match in pattern.Matches(text))
                    findings.Add($"{path}: {name}: {match.Value}");
        }

        Assert.True(scanned > 100, $"only {scanned} tracked text files were scanned");
        Assert.Empty(findings);
    }

    [Fact]
    public void The_secret_patterns_catch_what_they_are_for()
    {
        string[] samples =
        [
            "-----BEGIN RSA " + "PRIVATE KEY-----",
            "Server=db;User Id=sa;Password=" + "hunter2;",
            "AKIA" + "ABCDEFGHIJKLMNOP",
            "\"ApiKey\": \"" + "sk0123456789abcdefXYZ\"",
            "redis://user:" + "pa55word@host:6379",
        ];
        foreach (string sample in samples)
            Assert.Contains(Patterns, p => p.Pattern.IsMatch(sample));
        Assert.DoesNotContain(Patterns, p => p.Pattern.IsMatch("\"DefaultCheckpoint\": \"isrm-default\""));
    }

    [Fact]
    public void Appsettings_hold_no_secret_like_keys()
    {
        string[] files = Directory.GetFiles(Path.Combine(Repository.Root, "Isrm.Web"), "appsettings*.json");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (string key in Keys(json.RootElement, ""))
                Assert.DoesNotMatch(@"(?i)(password|secret|apikey|api_key|accesstoken|authtoken|connectionstring|credential)", key);
        }
    }

    private static IEnumerable<string> Keys(JsonElement element, string prefix) =>
        element.ValueKind != JsonValueKind.Object ? []
        : element.EnumerateObject().SelectMany(p => Keys(p.Value, prefix + p.Name + ":").Prepend(prefix + p.Name));

    private static IEnumerable<string> TrackedFiles()
    {
        var start = new ProcessStartInfo("git", "ls-files -z") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true };
        using Process git = Process.Start(start)!;
        string output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }
}
