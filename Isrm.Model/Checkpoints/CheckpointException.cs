namespace Isrm.Model.Checkpoints;

/// <summary>A checkpoint folder that cannot be used; the message is one sentence a user can act on.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);
