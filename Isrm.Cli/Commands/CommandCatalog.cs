using System.CommandLine;

namespace Isrm.Cli.Commands;

/// <summary>The list of top-level commands, in the order <c>isrm --help</c> shows them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        DataCommand.Create(),
        Pending.Command("train", "Train an ISRM, transformer or RLM checkpoint on a corpus", 5),
        Pending.Command("eval", "Evaluate checkpoints across refinement depths K and write the scaling report", 6),
        GenerateCommand.Create(),
        ChatCommand.Create(),
        Bench.BenchCommand.Create(),
        InfoCommand.Create(),
    ];
}
