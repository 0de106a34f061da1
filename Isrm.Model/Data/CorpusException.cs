namespace Isrm.Model.Data;

/// <summary>A corpus problem the user can fix (no network, bad hash, empty folder); its message is one sentence that says what to do.</summary>
public sealed class CorpusException(string message, Exception? inner = null) : Exception(message, inner);
