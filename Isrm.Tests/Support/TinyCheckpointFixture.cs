namespace Isrm.Tests;

/// <summary>One tiny byte-level checkpoint on disk, shared by the command-line tests of a class.</summary>
public sealed class TinyCheckpointFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Directory { get; }

    public TinyCheckpointFixture()
    {
        Directory = _folder.Combine("tiny");
        TinyModels.SaveCheckpoint(Directory);
    }

    public string Combine(string name) => _folder.Combine(name);

    public void Dispose() => _folder.Dispose();
}
