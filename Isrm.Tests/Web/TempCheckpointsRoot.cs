namespace Isrm.Tests.Web;

/// <summary>A temp checkpoints root; deleted on dispose.</summary>
public sealed class TempCheckpointsRoot : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "isrm-web-" + Guid.NewGuid().ToString("N")[..8]);

    public TempCheckpointsRoot() => Directory.CreateDirectory(Root);

    /// <summary>A folder the fake backend accepts.</summary>
    public TempCheckpointsRoot WithFake(string name)
    {
        Directory.CreateDirectory(Path.Combine(Root, name));
        File.WriteAllText(Path.Combine(Root, name, "config.json"), "{}");
        return this;
    }

    /// <summary>A folder the fake backend lists as usable but fails to load.</summary>
    public TempCheckpointsRoot WithUnloadable(string name)
    {
        Directory.CreateDirectory(Path.Combine(Root, name));
        File.WriteAllText(Path.Combine(Root, name, "config.json"), "unloadable");
        return this;
    }

    /// <summary>Folders no backend accepts: one without config.json, one with an empty one.</summary>
    public TempCheckpointsRoot WithBroken()
    {
        Directory.CreateDirectory(Path.Combine(Root, "not-a-checkpoint"));
        Directory.CreateDirectory(Path.Combine(Root, "truncated"));
        File.WriteAllText(Path.Combine(Root, "truncated", "config.json"), "");
        return this;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { /* a file still open by a stopping server is cleaned by the OS temp policy */ }
    }
}
