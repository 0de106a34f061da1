namespace Isrm.Cli.Commands;

/// <summary>
/// What <c>train</c> may do with its <c>--out</c>: a new run only in an empty or new folder (or with --force), and a
/// resumed run only as it was planned — text and puzzle runs alike.
/// </summary>
internal static class RunPlan
{
    /// <summary>A new run's folder: refused when it holds anything, said for a training run in particular.</summary>
    public static void ClaimFolder(string outDir, bool force)
    {
        string? run = File.Exists(Path.Combine(outDir, Trainer.StateFile)) || File.Exists(Path.Combine(outDir, PuzzleTrainer.LegacyOptionsFile))
            ? "a training run (continue it with --resume)" : null;
        OutputGuard.Folder(outDir, force, "--out", run);
    }

    /// <summary>Refuses, in one sentence, an option given with --resume that would change the saved plan.</summary>
    public static void RefuseChanges(ParseResult parse, IEnumerable<Option> allowed)
    {
        var keep = allowed.ToHashSet();
        foreach (var child in parse.CommandResult.Children)
            if (child is System.CommandLine.Parsing.OptionResult { Implicit: false } given && !keep.Contains(given.Option))
                throw new ArgumentException($"{given.Option.Name} cannot change a resumed run: it keeps the shape and plan it was started with; drop {given.Option.Name}, or start a new run in another --out.");
    }

    /// <summary>True (after saying so) when a resumed run has nothing left to do.</summary>
    public static bool Finished(int step, int steps, string outDir)
    {
        if (step < steps) return false;
        Console.Error.WriteLine($"The run in '{outDir}' has finished all {steps:N0} of its steps; pass --steps N (more than {steps:N0}) with --resume to train it further.");
        return true;
    }
}
