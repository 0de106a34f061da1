using Isrm.Model.Tasks.Text;

namespace Isrm.Web.State;

/// <summary>
/// The answer a task prompt (e.g. <c>48213+97065=</c>) should get, computed from the prompt by its task
/// (<see cref="TextTasks"/>), and how the tokens of a reply compare with it: each token is right when its text is
/// the next part of the answer, wrong when it is not, and unmarked past the answer's end.
/// </summary>
public sealed record TaskTruth(string Task, string Answer)
{
    /// <summary>The truth of <paramref name="prompt"/> when some task recognises it, else null.</summary>
    public static TaskTruth? Of(string prompt)
    {
        string text = prompt.TrimEnd('\r', '\n', ' ');
        foreach (ITextTask task in TextTasks.All)
        {
            try { return new TaskTruth(task.Name, task.Answer(text)); }
            catch (ArgumentException) { }   // not this task's prompt
        }
        return null;
    }

    /// <summary>What the answer still holds after <paramref name="offset"/> characters of reply; null past its end.</summary>
    public string? Rest(int offset) => offset < Answer.Length ? Answer[offset..] : null;

    /// <summary>Per token of the reply: true right, false wrong, null past the answer (or not finished yet).</summary>
    public IReadOnlyList<bool?> Marks(IReadOnlyList<TokenTrajectory> tokens)
    {
        var marks = new List<bool?>(tokens.Count);
        int offset = 0;
        foreach (TokenTrajectory token in tokens)
        {
            string? text = token.Text;
            string? rest = Rest(offset);
            marks.Add(text is null || rest is null ? null : rest.StartsWith(text, StringComparison.Ordinal));
            offset += text?.Length ?? 0;
        }
        return marks;
    }

    /// <summary>"addition: 145278, computed from the prompt; the reply is right" (or where it goes wrong).</summary>
    public string Summary(string reply)
    {
        string given = reply.TrimEnd('\n');
        string verdict = given == Answer ? "the reply is right"
            : given.Length == 0 ? "no answer yet"
            : FirstDifference(given) is int at && at < given.Length ? $"the reply is wrong from character {at + 1}"
            : given.Length < Answer.Length ? "the reply is right so far" : "the reply is longer than the answer";
        return $"{Task}: {Answer}, computed from the prompt; {verdict}.";
    }

    private int? FirstDifference(string given)
    {
        for (int i = 0; i < given.Length; i++)
            if (i >= Answer.Length || given[i] != Answer[i]) return i;
        return null;
    }
}
