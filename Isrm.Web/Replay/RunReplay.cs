using System.Net;

namespace Isrm.Web.Replay;

/// <summary>
/// A run as one self-contained HTML file that replays without the server: the run's JSON (a conversation export, or a
/// solve's start and step frames) inside the page, with a small player of our own (<c>Replay/replay.html</c>): a step
/// slider and Play, the top tokens of each step of each token, or the grid drawn at each step. No script, style or
/// font is fetched from anywhere.
/// </summary>
public static class RunReplay
{
    private static readonly Lazy<string> Template = new(() =>
    {
        using Stream stream = typeof(RunReplay).Assembly.GetManifestResourceStream("Isrm.Web.Replay.replay.html")
            ?? throw new InvalidOperationException("the replay template is not embedded in Isrm.Web.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>A chat conversation, from its JSON export (<see cref="State.Conversation.ExportJson"/>).</summary>
    public static string Conversation(string exportJson, string title = "ISRM — a conversation, step by step") => Page("chat", title, exportJson);

    /// <summary>A solve: its instance, every streamed step and how it ended.</summary>
    public static string Solve(PuzzleStartFrame start, IReadOnlyList<PuzzleStepFrame> frames, string? summary)
    {
        string json = JsonSerializer.Serialize(new { start, frames, summary }, FrameJson.Options);
        return Page("puzzle", $"ISRM — a {start.Task} solve, step by step", json);
    }

    private static string Page(string kind, string title, string json) => Template.Value
        .Replace("__TITLE__", WebUtility.HtmlEncode(title))
        .Replace("__KIND__", kind)
        // inside <script>, "</" or "<!--" could end or bend the element: every "<" (only ever inside a JSON string) as \u003c
        .Replace("__DATA__", json.Replace("<", "\\u003c", StringComparison.Ordinal));
}
