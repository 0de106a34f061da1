using Isrm.Research.Commands;

namespace Isrm.Research;

/// <summary>isrm-research: the experiments behind the reports, apart from the isrm command line users run and from isrm-bench.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        RootCommand root = Build();
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 160;
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0) return UserError.Report(parse.Errors[0].Message);
        foreach (string note in Isrm.Cli.IsrmCommandLine.RenameNotes(parse.CommandResult)) Console.Error.WriteLine(note);
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>The command tree (the tests walk it to check every documented command).</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("isrm-research: the experiments behind reports/rlm.md (recall, compression, classification, critic, curvature) and reports/path-independence.md");
        foreach (Command command in new[]
        {
            EvalRlmCommand.Create(), RecallCommand.Create(), RecallCommand.CreateEval(), RecallReportCommand.Create(), CurvatureCommand.Create(),
            CriticCiCommand.Create(), ClassifyE2eCommand.Create(), CompressE2eCommand.Create(), CompressE2eCommand.CreateReport(),
            PathIndependenceCommand.Create(),
            StopRulesCommand.Create(),
            ReportCommand.Create(),
            TableCommand.Create(),
        })
            root.Subcommands.Add(command);
        return root;
    }
}
