using System.Text.Json;
using Isrm.Web.Refinement;

namespace Isrm.Web.State;

/// <summary>The chat history, newest last, with a JSON export that carries every trajectory.</summary>
public sealed class Conversation
{
    private static readonly JsonSerializerOptions Json = new(FrameJson.Options) { WriteIndented = true };

    public List<ConversationTurn> Turns { get; } = [];

    public ConversationTurn? Latest => Turns.LastOrDefault();

    public bool IsRunning => Latest?.Status == TurnStatus.Running;

    public ConversationTurn Start(string prompt, GenerationSettings settings, string checkpoint, string context = "")
    {
        var turn = new ConversationTurn(prompt, settings, checkpoint, context);
        Turns.Add(turn);
        return turn;
    }

    public void Clear() => Turns.Clear();

    /// <summary>
    /// The earlier turns as the model reads them before a new prompt: each prompt followed by its reply, one turn per
    /// line pair. Failed turns and empty replies are left out, and so are control characters a reply may hold (a model
    /// can write any byte; the server takes only tab, newline and carriage return).
    /// </summary>
    public string Context() => string.Concat(Turns
        .Where(t => t.Status is TurnStatus.Done or TurnStatus.Cancelled && t.Reply.Length > 0)
        .Select(t => t.Prompt + Sendable(t.Reply) + "\n"));

    private static string Sendable(string text) =>
        string.Concat(text.Where(c => !char.IsControl(c) || c is '\t' or '\n' or '\r'));

    /// <summary>The whole conversation with its per-step trajectories, as indented JSON.</summary>
    public string ExportJson() => JsonSerializer.Serialize(new
    {
        format = "isrm-conversation/1",
        exportedAt = DateTimeOffset.UtcNow,
        turns = Turns.Select(t => new
        {
            prompt = t.Prompt,
            context = t.Context,
            reply = t.Reply,
            checkpoint = t.Checkpoint,
            status = t.Status.ToString().ToLowerInvariant(),
            error = t.Error,
            settings = t.Settings.ToRequest(t.Prompt),
            done = (RefinementFrame?)t.Done,
            tokens = t.Tokens.Select(k => new { index = k.TokenIndex, text = k.Text, stepsUsed = k.StepsUsed, steps = k.Steps.Cast<RefinementFrame>() }),
        }),
    }, Json);

    /// <summary>Plain text of the conversation for the clipboard.</summary>
    public string ExportText() => string.Join("\n\n", Turns.Select(t => $"> {t.Prompt}\n{t.Reply}"));
}
