namespace Isrm.Tests.Cli;

/// <summary>
/// docs/cli.md names every command of the built <c>isrm</c>, <c>isrm-research</c> and <c>isrm-bench</c> and, in that
/// command's section, every option --help lists.
/// </summary>
public class CliReferenceTests
{
    private static IEnumerable<(string Path, Command Command)> Commands(Command command, string path)
    {
        foreach (Command sub in command.Subcommands)
        {
            string name = (path + " " + sub.Name).Trim();
            yield return (name, sub);
            foreach (var found in Commands(sub, name)) yield return found;
        }
    }

    public static TheoryData<string> Tools() => new() { "isrm", "isrm-research", "isrm-bench" };

    [Theory]
    [MemberData(nameof(Tools))]
    public void Docs_cli_covers_every_command_and_option(string tool)
    {
        string doc = File.ReadAllText(Repository.Combine("docs", "cli.md"));
        var problems = new List<string>();
        Command root = tool switch
        {
            "isrm" => IsrmCommandLine.Build(),
            "isrm-research" => Isrm.Research.Program.Build(),
            _ => Isrm.Bench.BenchCommandLine.Build(),
        };
        foreach (var (path, command) in Commands(root, ""))
        {
            if (command.Action is null || command.Hidden) continue;   // a group such as 'data' (its commands have their own sections), or a child process's command
            string heading = $"### `{tool} {path}`";
            int at = doc.IndexOf(heading + "\n", StringComparison.Ordinal);
            if (at < 0) { problems.Add($"no section '{heading}'"); continue; }
            int next = doc.IndexOf("\n### ", at + heading.Length, StringComparison.Ordinal);
            string section = next < 0 ? doc[at..] : doc[at..next];
            foreach (Option option in command.Options.Where(o => o is not System.CommandLine.Help.HelpOption))
                if (!section.Contains($"`{option.Name}", StringComparison.Ordinal)) problems.Add($"{tool} {path}: {option.Name} not documented");
            if (command.Description is string d && !section.Contains(d, StringComparison.Ordinal)) problems.Add($"{tool} {path}: description differs from --help");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
