using System.CommandLine;

namespace Isrm.Cli.Commands;

/// <summary>The list of top-level commands, in the order <c>isrm --help</c> shows them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        DataCommand.Create(),
        TrainCommand.Create(),
        EvalCommand.Create(),
        EvalRlmCommand.Create(),
        BenchRlmCommand.Create(),
        Pending.Command("generate", "Generate text from a prompt, optionally showing every refinement step", 4),
        Pending.Command("chat", "Talk to a checkpoint interactively", 4),
        Pending.Command("bench", "Run the benchmarks and print measured figures", 4),
        Pending.Command("info", "Show a checkpoint's configuration, parameter count and training metadata", 4),
    ];
}
