namespace Isrm.Model.Tokenization;

/// <summary>A tokenizer folder the user pointed at is missing or unreadable; the message is one sentence that says what to do.</summary>
public sealed class TokenizerException(string message, Exception? inner = null) : Exception(message, inner);
