using Isrm.Bench;

// isrm-bench: the project's benchmarks, apart from the isrm command line that users run.
// `dotnet run --project Isrm.Bench -c Release --` runs them all and writes runs/bench.md (a log of one run; published figures are the generated tables of docs/benchmarks.md); `-- generate …` runs one.
RootCommand root = BenchCommandLine.Build();
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 160;
ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0) return UserError.Report(parse.Errors[0].Message);
foreach (string note in Isrm.Cli.IsrmCommandLine.RenameNotes(parse.CommandResult)) Console.Error.WriteLine(note);
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

/// <summary>Internal so that ASP.NET Core's source generator (this project references Isrm.Web) does not make it public.</summary>
internal partial class Program;
