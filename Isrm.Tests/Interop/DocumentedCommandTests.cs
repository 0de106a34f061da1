using System.CommandLine;
using System.Text.RegularExpressions;
using Isrm.Cli;

namespace Isrm.Tests.Interop;

/// <summary>
/// Every command and path the documents name exists (issue 26, point 4): in README.md, docs/, the model cards,
/// reports/*.md and the reports' scripts, each <c>isrm</c>, <c>isrm-research</c> and <c>isrm-bench</c> command line in
/// code names commands of the built tools and options those commands take, each repository path in code exists, and
/// each relative link resolves.
/// </summary>
public sealed partial class DocumentedCommandTests
{
    private static IEnumerable<string> Documents()
    {
        string root = Repository.Combine();
        IEnumerable<string> Under(string dir, string pattern, SearchOption depth) =>
            Directory.Exists(Path.Combine(root, dir)) ? Directory.GetFiles(Path.Combine(root, dir), pattern, depth) : [];
        return new[] { Path.Combine(root, "README.md") }
            .Concat(Under("docs", "*.md", SearchOption.TopDirectoryOnly))
            .Concat(Under("checkpoints", "README.md", SearchOption.AllDirectories))
            .Concat(Under("reports", "*.md", SearchOption.TopDirectoryOnly))
            .Concat(Under("reports", "*.sh", SearchOption.AllDirectories))
            .Order();
    }

    // Code in a document: fenced blocks line by line and inline spans (a script is all code).
    private static IEnumerable<string> Code(string file, string text)
    {
        if (file.EndsWith(".sh", StringComparison.Ordinal))
        {
            foreach (string line in text.Split('\n')) yield return line;
            yield break;
        }
        foreach (Match block in Fenced().Matches(text))
            foreach (string line in block.Groups[1].Value.Split('\n')) yield return line;
        foreach (Match span in Inline().Matches(Fenced().Replace(text, ""))) yield return span.Groups[1].Value;
    }

    [GeneratedRegex(@"(?ms)^```[a-z]*\n(.*?)^```")]
    private static partial Regex Fenced();

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex Inline();

    [GeneratedRegex(@"(?<![\w/.$-])(isrm(?:-research|-bench)?)((?:[ \t]+[^\s`|;&()]+)*)")]
    private static partial Regex CommandLine();

    private static readonly Dictionary<string, Command> Tools = new()
    {
        ["isrm"] = IsrmCommandLine.Build(),
        ["isrm-research"] = Isrm.Research.Program.Build(),
        ["isrm-bench"] = Isrm.Bench.BenchCommandLine.Build(),
    };

    /// <summary>The problem with one command line, or null: an unknown command, or an option its command does not take.</summary>
    private static string? Check(string tool, string[] words)
    {
        Command command = Tools[tool];
        int i = 0;
        while (i < words.Length && command.Subcommands.FirstOrDefault(c => c.Name == words[i] || c.Aliases.Contains(words[i])) is { } sub)
        {
            command = sub;
            i++;
        }
        if (i < words.Length && command is RootCommand && Word().IsMatch(words[i]) && command.Subcommands.Count > 0 && command.Action is null)
            return $"'{tool} {words[i]}' is not a command";
        if (i < words.Length && command is RootCommand && tool == "isrm" && Word().IsMatch(words[i]))
            return $"'{tool} {words[i]}' is not a command";
        foreach (string word in words.Skip(i).Where(w => w.StartsWith("--", StringComparison.Ordinal)))
        {
            string name = word.Split('=')[0];
            if (name == "--help" || name == "--") continue;
            if (!command.Options.Any(o => o.Name == name || o.Aliases.Contains(name)))
                return $"'{tool} {string.Join(' ', words.Take(i))}' takes no {name}";
        }
        return null;
    }

    [GeneratedRegex(@"^[a-z][a-z0-9-]+$")]
    private static partial Regex Word();

    [Fact]
    public void Every_documented_command_and_option_exists_in_the_built_tools()
    {
        var problems = new List<string>();
        int checkedLines = 0;
        foreach (string file in Documents())
        {
            string text = File.ReadAllText(file);
            foreach (string code in Code(file, text))
                foreach (Match m in CommandLine().Matches(code))
                {
                    string[] words = m.Groups[2].Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                        .TakeWhile(w => !w.Contains('…') && w != "..." && !w.StartsWith('[') && !w.StartsWith('<')).ToArray();
                    if (words.Length == 0) continue;
                    checkedLines++;
                    if (Check(m.Groups[1].Value, words) is string problem) problems.Add($"{Path.GetRelativePath(Repository.Combine(), file)}: {problem} ({m.Value.Trim()})");
                }
        }
        Assert.True(checkedLines > 150, $"only {checkedLines} command lines found");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    [Fact]
    public void The_check_refuses_an_unknown_command_or_option_and_takes_aliases()
    {
        Assert.Null(Check("isrm", ["solve", "--checkpoint", "c", "--k", "1,2", "--inf-cap", "8"]));
        Assert.Null(Check("isrm", ["data", "task", "mazes", "--sizes", "9"]));
        Assert.Null(Check("isrm-bench", ["train-reference", "--steps", "5"]));
        Assert.Equal("'isrm solve' takes no --bogus", Check("isrm", ["solve", "--bogus"]));
        Assert.Equal("'isrm frobnicate' is not a command", Check("isrm", ["frobnicate", "--k", "2"]));
        Assert.Equal("'isrm-research stop-rules' takes no --steps", Check("isrm-research", ["stop-rules", "--steps", "3"]));
    }

    [Fact]
    public void Every_repository_path_in_code_and_every_relative_link_exists()
    {
        string root = Repository.Combine();
        HashSet<string> tops = Directory.GetFileSystemEntries(root).Select(Path.GetFileName).OfType<string>().ToHashSet();
        var problems = new List<string>();
        foreach (string file in Documents().Where(f => f.EndsWith(".md", StringComparison.Ordinal)))
        {
            string text = File.ReadAllText(file), name = Path.GetRelativePath(root, file);
            foreach (Match span in Inline().Matches(text))
            {
                string path = span.Groups[1].Value.Trim().TrimEnd('.', ',', ':', ';', ')').Split('#')[0];
                if (path.Contains(' ') || path.IndexOfAny(['*', '…', '<', '{', '$', '=']) >= 0 || !path.Contains('/') || path.StartsWith("http", StringComparison.Ordinal)) continue;
                if (!tops.Contains(path.Split('/')[0]) || tops.Contains(path) && path.Split('/').Length == 1) continue;
                if (!File.Exists(Path.Combine(root, path)) && !Directory.Exists(Path.Combine(root, path))) problems.Add($"{name}: `{path}` does not exist");
            }
            foreach (Match link in Link().Matches(text))
            {
                string target = link.Groups[1].Value;
                if (target.StartsWith("http", StringComparison.Ordinal) || target.StartsWith('#') || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(target.Split('#')[0])));
                if (!File.Exists(resolved) && !Directory.Exists(resolved)) problems.Add($"{name}: link ({target}) does not resolve");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();
}
