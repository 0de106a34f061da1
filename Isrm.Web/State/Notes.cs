namespace Isrm.Web.State;

/// <summary>The sentences the chat shows about a turn: its status, the limits it ran into, and how its tokens are named.</summary>
public static class Notes
{
    /// <summary>The turn's state as the page knows it: queued, generating, drawn (with the model's own time), stopped, failed.</summary>
    public static string Status(ConversationTurn t) => t.Status switch
    {
        TurnStatus.Running when t.QueuedAhead is int ahead =>
            $"waiting in the model's queue: {ahead} request{(ahead == 1 ? "" : "s")} ahead of this one…",
        TurnStatus.Running => $"generating… token {t.Tokens.Count}",
        TurnStatus.Done when t.Done is { } d => t.DrawLagSeconds is double lag
            ? Invariant($"{d.Tokens} tokens ({Reason(d.StopReason)}) in {d.ElapsedMs / 1000:0.0} s; all drawn {lag:0.00} s after the model finished")
            : Invariant($"{d.Tokens} tokens ({Reason(d.StopReason)}) in {d.ElapsedMs / 1000:0.0} s; drawing…"),
        TurnStatus.Cancelled => $"stopped after {t.Tokens.Count(k => k.IsFinished)} tokens",
        _ => "failed",
    };

    /// <summary>Why a finished turn stopped, when it is a limit the user should know about.</summary>
    public static string? EndNote(ConversationTurn t) => t.Done?.StopReason switch
    {
        StopReason.ContextFull =>
            $"The model's context is full, so it stopped after {t.Done.Tokens} token{(t.Done.Tokens == 1 ? "" : "s")}: it reads only its most recent tokens. "
            + "Clear the conversation, untick “Remember earlier turns”, or send a shorter prompt.",
        _ => null,
    };

    /// <summary>"The prompt is 612 tokens; the model reads only the last 255." when the sent text does not fit.</summary>
    /// <param name="maxContext">The checkpoint's context in tokens (null when unknown: nothing is said).</param>
    /// <param name="byteTokens">True for byte tokenizers (one token per UTF-8 byte: the count is exact); BPE makes at most that many.</param>
    public static string? PromptNote(ConversationTurn t, int? maxContext, bool byteTokens)
    {
        if (maxContext is not > 1) return null;
        int tokens = System.Text.Encoding.UTF8.GetByteCount(t.SentText);
        int reads = maxContext.Value - 1;
        if (tokens <= reads) return null;
        string what = t.Context.Length > 0 ? "The earlier turns and the prompt are" : "The prompt is";
        string count = byteTokens ? $"{tokens:N0} tokens" : $"up to {tokens:N0} tokens";
        return $"{what} {count}; the model reads only the last {reads:N0} of them (its context is {maxContext:N0} tokens).";
    }

    /// <summary>high, mid, low or vlow: the band of the token's probability (the answer's colour).</summary>
    public static string ConfidenceBand(TokenTrajectory t) => t.Confidence switch
    {
        null => "none",
        >= 0.8 => "high",
        >= 0.5 => "mid",
        >= 0.2 => "low",
        _ => "vlow",
    };

    /// <summary>The accessible name of a token: its text in words, its probability and its steps.</summary>
    public static string TokenName(TokenTrajectory t)
    {
        string sure = t.Confidence is double p ? Invariant($"{p:P0} sure") : "no steps yet";
        string steps = t.IsFinished ? $"{t.StepsUsed} steps" : $"refining, step {t.Steps.Count}";
        return $"token {t.TokenIndex}: {TokenText.Spoken(t.Display)}, {sure}, {steps}";
    }

    private static string Reason(StopReason stopReason) => stopReason switch
    {
        StopReason.MaxTokens => "reached max tokens",
        StopReason.StopText => "reached the stop text",
        StopReason.ContextFull => "the context is full",
        StopReason.Cancelled => "stopped",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
