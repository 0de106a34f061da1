namespace Isrm.Cli.Commands;

/// <summary>The commands of isrm, isrm-research and isrm-bench are built alike: a name, one line of help, options.</summary>
internal static class CliCommands
{
    /// <summary>The command <paramref name="name"/> with <paramref name="options"/>, in that order (as its help lists them).</summary>
    public static Command Create(string name, string description, params IEnumerable<Option> options)
    {
        var command = new Command(name, description);
        foreach (Option option in options) command.Options.Add(option);
        return command;
    }
}
