using System.CommandLine;
using Isrm.Cli.Commands;

var root = new RootCommand("isrm: train, evaluate and talk to Infinitely Scalable Recursive Models");
foreach (Command command in CommandCatalog.All())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
