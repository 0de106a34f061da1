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
        format = Format,
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

    /// <summary>The format <see cref="ExportJson"/> writes and <see cref="Import"/> reads.</summary>
    public const string Format = "isrm-conversation/1";

    /// <summary>
    /// Replaces the conversation with one written by <see cref="ExportJson"/>: every turn with its settings, steps,
    /// tokens and end, as it was drawn. Returns null, or one sentence saying why the text is not such an export.
    /// </summary>
    public string? Import(string json)
    {
        var turns = new List<ConversationTurn>();
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out JsonElement format) || format.GetString() != Format)
                return $"This file is not a conversation exported by this page (its format is not {Format}).";
            foreach (JsonElement t in root.GetProperty("turns").EnumerateArray())
            {
                RefinementRequest request = t.GetProperty("settings").Deserialize<RefinementRequest>(Json) ?? new RefinementRequest();
                var settings = new GenerationSettings
                {
                    Checkpoint = request.Checkpoint, K = request.K.Steps ?? 8, InfiniteK = request.K.IsInfinite, MaxTokens = request.MaxTokens,
                    Temperature = request.Temperature ?? 0.8, TopK = request.TopK, TopP = request.TopP ?? 0.95, Seed = request.Seed,
                    MaxK = Math.Max(RefinementDepth.DefaultCap, request.K.Steps ?? 0),
                };
                var turn = new ConversationTurn(t.GetProperty("prompt").GetString() ?? "", settings, t.GetProperty("checkpoint").GetString() ?? "",
                    t.TryGetProperty("context", out JsonElement c) ? c.GetString() ?? "" : "");
                foreach (JsonElement token in t.GetProperty("tokens").EnumerateArray())
                {
                    foreach (JsonElement step in token.GetProperty("steps").EnumerateArray())
                        turn.Apply(step.Deserialize<RefinementFrame>(Json) ?? throw new JsonException("an empty step"));
                    if (token.GetProperty("text").GetString() is string text)
                        turn.Apply(new TokenFrame(token.GetProperty("index").GetInt32(), text, token.GetProperty("stepsUsed").GetInt32()));
                }
                if (t.TryGetProperty("done", out JsonElement done) && done.ValueKind == JsonValueKind.Object)
                    turn.Apply(done.Deserialize<RefinementFrame>(Json) ?? throw new JsonException("an empty end"));
                if (t.TryGetProperty("error", out JsonElement error) && error.GetString() is string message) turn.Fail(message);
                else if (turn.Status == TurnStatus.Running) turn.Cancel();   // an export made mid-run: the rest never came
                turns.Add(turn);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or NotSupportedException or FormatException)
        {
            return "This file is not a conversation exported by this page (it could not be read as one).";
        }
        Turns.Clear();
        Turns.AddRange(turns);
        return null;
    }

    /// <summary>Plain text of the conversation for the clipboard.</summary>
    public string ExportText() => string.Join("\n\n", Turns.Select(t => $"> {t.Prompt}\n{t.Reply}"));
}
