using System.CommandLine;

namespace Isrm.Cli.Commands;

/// <summary>A command whose issue has not landed yet: it says so in one line and exits non-zero.</summary>
internal static class Pending
{
    public static Command Command(string name, string description, int issue)
    {
        var command = new Command(name, description + " (not built yet)");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(_ =>
        {
            Console.Error.WriteLine($"isrm {name} is not built yet (issue #{issue}).");
            return 2;
        });
        return command;
    }
}
