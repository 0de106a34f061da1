namespace Isrm.Cli.Commands;

/// <summary>Errors a user can cause are told on stderr in one sentence, with exit code 1; internal bugs still throw.</summary>
internal static partial class UserError
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^[^\s']+'s\s")]
    private static partial System.Text.RegularExpressions.Regex NamePossessive();

    /// <summary>Exceptions that carry a one-sentence message meant for the user.</summary>
    public static bool IsUserError(Exception e) =>
        e is ArgumentException or CheckpointException or TokenizerException or Isrm.Model.Data.CorpusException or IOException or UnauthorizedAccessException;

    /// <summary>Prints <paramref name="message"/> as one sentence (capitalised, one line, full stop) and returns 1.</summary>
    public static int Report(string message)
    {
        Console.Error.WriteLine(Sentence(message));
        return 1;
    }

    public static string Sentence(string message)
    {
        string line = message.ReplaceLineEndings(" ").Trim();
        if (line.Length == 0) return "Something went wrong.";
        // A sentence that starts with a name (a checkpoint's, a file's) keeps its case.
        if (!NamePossessive().IsMatch(line)) line = char.ToUpperInvariant(line[0]) + line[1..];
        return line.EndsWith('.') || line.EndsWith('?') || line.EndsWith('!') ? line : line + ".";
    }

    /// <summary>Runs a synchronous command body; a user error becomes one sentence on stderr and exit code 1.</summary>
    public static int Guard(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (IsUserError(e)) { return Report(e.Message); }
    }

    /// <summary>Runs a command body; a user error becomes one sentence on stderr and exit code 1.</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try { return await body(); }
        catch (Exception e) when (IsUserError(e)) { return Report(e.Message); }
        catch (OperationCanceledException) { return Report("Cancelled."); }
    }
}
