namespace Isrm.Model.Checkpoints;

/// <summary>A checkpoint whose weights are in memory; use and dispose it on the model thread.</summary>
public sealed class LoadedCheckpoint(CheckpointInfo info, IsrmModel model, ITextTokenizer tokenizer) : ILoadedNetwork
{
    public CheckpointInfo Info { get; } = info;
    public IsrmModel Model { get; } = model;
    public ITextTokenizer Tokenizer { get; } = tokenizer;

    public string Name => Info.Name;
    public string Directory => Info.Directory;
    public string Task => Info.Task ?? CheckpointFolder.LanguageModel;
    public CheckpointMetadata Metadata => Info.Metadata;
    public IStepNetwork Network => Model;

    public void Dispose() => Model.Dispose();
}
