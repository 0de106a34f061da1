namespace Isrm.Cli.Commands;

/// <summary>The list of top-level commands, in the order <c>isrm --help</c> shows them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        DataCommand.Create(),
        TrainCommand.Create(),
        EvalCommand.Create(),
        SolveCommand.Create(),
        GenerateCommand.Create(),
        ChatCommand.Create(),
        InfoCommand.Create(),
        ExchangeCommands.Export(),
        ExchangeCommands.Import(),
    ];
}
