using System.CommandLine;
using Isrm.Cli.Commands;

var root = new RootCommand("isrm: train, evaluate and talk to Infinitely Scalable Recursive Models");
foreach (Command command in CommandCatalog.All())
    root.Subcommands.Add(command);
// Redirected output reports 80 columns, which would wrap every table row; files and pipes get wide rows.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 160;
// --version: the build (version + commit) and the runtime it was built against, in one line.
if (args is ["--version"])
{
    Console.WriteLine(VersionLine.Text());
    return 0;
}
ParseResult parse = root.Parse(args);
// A mistyped option or value is a user error: one sentence on stderr and exit code 1, not a page of help.
if (parse.Errors.Count > 0) return UserError.Report(parse.Errors[0].Message);
// Commands handle Ctrl-C themselves (train saves a checkpoint first), so the parser must not install its own
// termination handler, which would swallow the signal and then cut the process off after a timeout.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
