namespace Isrm.Web.Refinement;

/// <summary>
/// The one catalog of checkpoint folders, text and puzzle alike: lists them with their task and turns a user-supplied
/// name into a folder inside the checkpoints root, for a generation or for a solve.
/// </summary>
public sealed class CheckpointCatalog(
    IGenerationBackend backend, IOptions<CheckpointOptions> options, IHostEnvironment environment)
{
    /// <summary>Absolute path of the checkpoints root.</summary>
    public string Root { get; } = environment.ResolveFolder(options.Value.CheckpointsPath);

    public string DefaultCheckpoint => options.Value.DefaultCheckpoint;

    /// <summary>Every sub-folder of the root, usable or not, sorted by name; <see cref="CheckpointListing.Task"/> says which page uses it.</summary>
    public IReadOnlyList<CheckpointListing> List()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root)
            .Where(dir => !Path.GetFileName(dir).StartsWith('.'))
            .Select(dir => OutsideRoot(dir) is string error
                ? new CheckpointListing(Path.GetFileName(dir), "", 0, "", false, char.ToUpperInvariant(error[0]) + error[1..])
                : Describe(Path.GetFileName(dir), dir))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Resolves <paramref name="name"/> to a usable text checkpoint's folder, or returns the sentence saying why not.</summary>
    public bool TryResolve(string? name, out string directory, out string error)
    {
        directory = "";
        string chosen = string.IsNullOrWhiteSpace(name) ? DefaultCheckpoint : name.Trim();
        if (!IsPlainFolderName(chosen))
        {
            error = $"Checkpoint '{chosen}' is not a checkpoint name: use a folder name from ListCheckpoints, without '/', '\\' or '..'.";
            return false;
        }
        string candidate = Path.GetFullPath(Path.Combine(Root, chosen));
        if (!candidate.StartsWith(Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || !Directory.Exists(candidate))
        {
            var known = List().Where(c => c.Usable && !c.IsPuzzle).Select(c => c.Name).ToList();
            error = known.Count == 0
                ? $"Unknown checkpoint '{chosen}': the checkpoints folder {Root} holds no usable checkpoint."
                : $"Unknown checkpoint '{chosen}': choose one of {string.Join(", ", known)}.";
            return false;
        }
        if (OutsideRoot(candidate) is string outside)
        {
            error = $"Checkpoint '{chosen}' cannot be used: {outside}";
            return false;
        }
        CheckpointListing listing = Describe(chosen, candidate);
        if (!listing.Usable)
        {
            error = $"Checkpoint '{chosen}' cannot be used: {listing.Error}";
            return false;
        }
        if (listing.IsPuzzle)
        {
            error = $"Checkpoint '{chosen}' solves {listing.Task}, it does not generate text: open it on the Puzzles page.";
            return false;
        }
        directory = candidate;
        error = "";
        return true;
    }

    /// <summary>
    /// The folder of puzzle checkpoint <paramref name="name"/> (empty = the first usable one for <paramref name="task"/>,
    /// or for any puzzle task), or the sentence saying why not.
    /// </summary>
    public bool TryResolvePuzzle(string? name, string? task, out string directory, out CheckpointListing? listing, out string error)
    {
        directory = "";
        listing = null;
        // every folder is described only when the answer needs the list: a default, or the sentence of an unknown name
        List<CheckpointListing> Usable() => List().Where(c => c.Usable && c.IsPuzzle).ToList();
        string? chosen = string.IsNullOrWhiteSpace(name)
            ? Usable().FirstOrDefault(c => task is null || c.Task == task)?.Name
            : name.Trim();
        if (chosen is null)
        {
            error = $"There is no {task ?? "puzzle"} checkpoint in {Root}: train one with isrm train --task {task ?? PuzzleTasks.Default.Name}.";
            return false;
        }
        string candidate = Path.GetFullPath(Path.Combine(Root, chosen));
        if (!IsPlainFolderName(chosen) || Path.GetDirectoryName(candidate) != Root.TrimEnd(Path.DirectorySeparatorChar)
            || !Directory.Exists(candidate) || !CheckpointFolder.IsPuzzle(candidate))
        {
            List<CheckpointListing> usable = Usable();
            error = usable.Count == 0
                ? $"Unknown puzzle checkpoint '{Shorten(chosen)}': the checkpoints folder holds none."
                : $"Unknown puzzle checkpoint '{Shorten(chosen)}': choose one of {string.Join(", ", usable.Select(c => c.Name))}.";
            return false;
        }
        if (new DirectoryInfo(candidate).LinkTarget is not null)
        {
            error = $"Puzzle checkpoint '{chosen}' is a symbolic link, which the server does not follow.";
            return false;
        }
        listing = Describe(chosen, candidate);
        if (!listing.Usable)
        {
            error = $"Puzzle checkpoint '{chosen}' cannot be used: {listing.Error}";
            return false;
        }
        directory = candidate;
        error = "";
        return true;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";

    /// <summary>Why a folder that is a symbolic link to somewhere outside the root is refused, or null when it is not.</summary>
    private string? OutsideRoot(string directory)
    {
        var info = new DirectoryInfo(directory);
        if (info.LinkTarget is null) return null;
        string? target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        string realRoot = new DirectoryInfo(Root).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Root;
        bool inside = target is not null && (IsInside(target, Root) || IsInside(target, realRoot));
        return inside ? null : "it is a symbolic link to a folder outside the checkpoints folder, which the server does not read.";
    }

    private static bool IsInside(string path, string root) =>
        Path.GetFullPath(path).StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private CheckpointListing Describe(string name, string directory)
    {
        CheckpointDescription d = backend.Inspect(directory);
        return new CheckpointListing(name, d.Family, d.ParameterCount, d.TrainingSummary, d.Usable, d.Error, d.MaxContext, d.ByteTokens, d.SinglePass, d.Task);
    }

    private static bool IsPlainFolderName(string name) =>
        name.Length <= 200
        && !Path.IsPathRooted(name)
        && name is not ("." or "..")
        && !name.Contains('/') && !name.Contains('\\') && !name.Contains("..", StringComparison.Ordinal)
        && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;
}
