namespace Isrm.Model.Generation;

/// <summary>Why a generation ended; on the wire and in <c>--json</c> output as its kebab-case name.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<StopReason>))]
public enum StopReason
{
    /// <summary>The requested number of tokens was generated.</summary>
    MaxTokens,
    /// <summary>The sequence filled the model's context.</summary>
    ContextFull,
    /// <summary>The generated text ended with the request's stop text.</summary>
    StopText,
    /// <summary>The caller stopped the generation.</summary>
    Cancelled,
    /// <summary>The request failed (only sent to watchers of a generation, whose caller got the error).</summary>
    Error,
}
