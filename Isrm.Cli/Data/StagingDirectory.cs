namespace Isrm.Cli.Data;

/// <summary>A temporary sibling folder that becomes the target folder by one rename on <see cref="Commit"/>, or vanishes on dispose.</summary>
public sealed class StagingDirectory : IDisposable
{
    private readonly string _target;
    private bool _committed;

    public string Path { get; }

    public StagingDirectory(string target)
    {
        _target = System.IO.Path.GetFullPath(target);
        string parent = System.IO.Path.GetDirectoryName(_target) ?? throw new ArgumentException("The target folder has no parent.", nameof(target));
        Directory.CreateDirectory(parent);
        // Same parent folder, so the final rename stays on one file system and is atomic.
        Path = System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(_target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>Moves the staged folder to the target; an existing empty target folder is replaced.</summary>
    public void Commit()
    {
        if (Directory.Exists(_target) && !Directory.EnumerateFileSystemEntries(_target).Any())
            Directory.Delete(_target);
        Directory.Move(Path, _target);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
