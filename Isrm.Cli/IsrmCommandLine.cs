using System.CommandLine.Parsing;
using Isrm.Cli.Commands;

namespace Isrm.Cli;

/// <summary>
/// The <c>isrm</c> command tree and how a command line is run: parse errors, unknown commands and renamed options are
/// answered here, once, before any command runs.
/// </summary>
public static class IsrmCommandLine
{
    /// <summary>Old option names still accepted, and the name each now has (said once on stderr when used).</summary>
    private static readonly Dictionary<string, string> Renamed = new()
    {
        ["--loops"] = "--k", ["--max-loops"] = "--cap", ["--inf-cap"] = "--cap", ["--from"] = "--checkpoint",
    };

    /// <summary>The root command with every subcommand, as <c>isrm --help</c> shows them.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("isrm: train, evaluate and talk to Infinitely Scalable Recursive Models");
        foreach (Command command in CommandCatalog.All())
            root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Runs one command line; returns the exit code (0 done, 1 a user error, 130 interrupted).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        // --version: the build (version + commit) and the runtime it was built against, in one line.
        if (args is ["--version"])
        {
            Console.WriteLine(VersionLine.Text());
            return 0;
        }
        RootCommand root = Build();
        ParseResult parse = root.Parse(args);
        // A mistyped command, option or value is a user error: one sentence on stderr and exit code 1, not a page of help.
        if (Refusal(root, parse) is string refusal) return UserError.Report(refusal);
        foreach (string note in RenameNotes(parse.CommandResult)) Console.Error.WriteLine(note);
        // Commands handle Ctrl-C themselves (train saves a checkpoint first), so the parser must not install its own
        // termination handler, which would swallow the signal and then cut the process off after a timeout.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>The one sentence that refuses this command line before anything runs, or null when it may run.</summary>
    internal static string? Refusal(RootCommand root, ParseResult parse) =>
        UnknownCommand(root, parse) ?? (parse.Errors.Count > 0 ? UserError.Sentence(FirstError(parse)) : null);

    /// <summary>"Unknown command 'foo'; the commands are …" when the first word names no command.</summary>
    private static string? UnknownCommand(RootCommand root, ParseResult parse)
    {
        if (parse.CommandResult.Command is not Command command || command.Subcommands.Count == 0 || command.Action is not null) return null;
        if (parse.Tokens.Any(t => t.Value is "-h" or "--help" or "-?")) return null;
        string? first = parse.UnmatchedTokens.FirstOrDefault();
        string names = string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        string where = command == root ? "isrm" : $"isrm {Path(parse.CommandResult)}";
        if (first is null || first.StartsWith('-')) return $"'{where}' needs a command: one of {names}.";
        return $"Unknown command '{CliOptions.Shown(first)}' for '{where}'; the commands are {names}.";
    }

    private static string Path(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c && c.Parent is not null; r = r.Parent) names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>The error to tell: a value the user gave that is wrong comes before an option that is missing.</summary>
    private static string FirstError(ParseResult parse)
    {
        ParseError? given = parse.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult { Implicit: false } or ArgumentResult);
        string message = (given ?? parse.Errors[0]).Message;
        // The library's own words for a missing option or value, said the house way.
        return message.Replace("Option '", "option '").Replace("' is required.", "' is required; see --help.");
    }

    /// <summary>
    /// One note for each old option name the command line used (all three tools accept <c>--loops</c> for
    /// <c>--k</c> and say so).
    /// </summary>
    public static IEnumerable<string> RenameNotes(CommandResult command)
    {
        foreach (SymbolResult child in command.Children)
            if (child is OptionResult { IdentifierToken.Value: string used } && Renamed.TryGetValue(used, out string? now))
                yield return $"Note: {used} is the old name of {now}; it still works, but use {now}.";
    }
}
