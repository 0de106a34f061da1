namespace Isrm.Model.Checkpoints;

/// <summary>A checkpoint whose weights are in memory; use and dispose it on the model thread.</summary>
public sealed class LoadedCheckpoint(CheckpointInfo info, IsrmModel model, ITextTokenizer tokenizer) : IDisposable
{
    public CheckpointInfo Info { get; } = info;
    public IsrmModel Model { get; } = model;
    public ITextTokenizer Tokenizer { get; } = tokenizer;

    public void Dispose() => Model.Dispose();
}
