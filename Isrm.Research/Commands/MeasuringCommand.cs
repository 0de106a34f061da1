namespace Isrm.Research.Commands;

/// <summary>What the commands that measure checkpoints on a corpus (classify-e2e, critic-ci, curvature) run their work in.</summary>
internal static class MeasuringCommand
{
    /// <summary>
    /// Runs <paramref name="body"/> on one TorchSharp thread, after checking that the <c>--json</c> file may be written
    /// (before work that may take hours). An error the user can fix — a bad option, an unreadable checkpoint or corpus,
    /// a file — is its message on stderr and exit code 1.
    /// </summary>
    public static int Run(ParseResult parse, Option<string?> json, Option<bool> force, Func<int> body)
    {
        try
        {
            set_num_threads(1);
            if (parse.GetValue(json) is string target) OutputGuard.File(target, parse.GetValue(force), "--json");
            return body();
        }
        catch (Exception e) when (e is ArgumentException or CheckpointException or CorpusException or IOException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
