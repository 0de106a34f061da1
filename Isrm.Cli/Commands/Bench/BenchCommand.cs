using System.CommandLine;

namespace Isrm.Cli.Commands.Bench;

/// <summary>
/// <c>isrm bench</c>: one subcommand per benchmark (each in its own file); with no subcommand every benchmark runs
/// with its defaults. Adding a benchmark is a new file and one line in <see cref="Benchmarks"/>.
/// </summary>
internal static class BenchCommand
{
    private static IEnumerable<Command> Benchmarks() =>
    [
        GenerationBenchmark.Create(),
        MemoryBenchmark.Create(),
        AndersonBenchmark.Create(),
        TrainingBenchmark.Create(),
    ];

    public static Command Create()
    {
        var jsonOption = new Option<bool>("--json") { Description = "Each benchmark prints one JSON object instead of tables" };
        var command = new Command("bench", "Run the benchmarks and print measured figures (no subcommand: all of them)");
        command.Options.Add(jsonOption);
        foreach (Command benchmark in Benchmarks()) command.Subcommands.Add(benchmark);
        command.Subcommands.Add(MemoryBenchmark.CreateProbe());
        command.SetAction(async (parse, cancellation) =>
        {
            bool json = parse.GetValue(jsonOption);
            int worst = 0;
            foreach (Command benchmark in command.Subcommands.Where(c => !c.Hidden))
            {
                if (!json) Console.Out.WriteLine($"== isrm bench {benchmark.Name} ==");
                int code = await benchmark.Parse(json ? ["--json"] : []).InvokeAsync(cancellationToken: cancellation);
                worst = Math.Max(worst, code);
                if (!json) Console.Out.WriteLine();
            }
            return worst;
        });
        return command;
    }
}
