using Isrm.Model.Checkpoints;
using Isrm.Model.Reasoning;
using Isrm.Web.Options;
using Microsoft.Extensions.Options;

namespace Isrm.Web.Puzzles;

/// <summary>The puzzle checkpoints among the checkpoint folders (config.json with "kind": "puzzle"), and name → folder.</summary>
public sealed class PuzzleCatalog(IOptions<CheckpointOptions> options, IHostEnvironment environment)
{
    /// <summary>Absolute path of the checkpoints root (the same <c>Isrm:CheckpointsPath</c> as the chat's).</summary>
    public string Root { get; } = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.CheckpointsPath));

    /// <summary>Every puzzle checkpoint folder, usable or not, sorted by name.</summary>
    public IReadOnlyList<PuzzleCheckpointListing> List()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root)
            .Where(dir => !Path.GetFileName(dir).StartsWith('.') && PuzzleCheckpoint.IsPuzzle(dir))
            .Select(dir => Describe(Path.GetFileName(dir), dir))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The folder of checkpoint <paramref name="name"/> (empty = the first usable one for <paramref name="task"/>), or the
    /// sentence saying why not.
    /// </summary>
    public bool TryResolve(string? name, PuzzleTask? task, out string directory, out PuzzleCheckpointListing? listing, out string error)
    {
        directory = "";
        listing = null;
        List<PuzzleCheckpointListing> usable = List().Where(c => c.Usable).ToList();
        string? chosen = string.IsNullOrWhiteSpace(name)
            ? usable.FirstOrDefault(c => task is null || c.Task == task.Value.Name())?.Name
            : name.Trim();
        if (chosen is null)
        {
            string what = task is null ? "puzzle" : task.Value.Name();
            error = $"There is no {what} checkpoint in {Root}: train one with isrm train --task {task?.Name() ?? "mazes"}.";
            return false;
        }
        string candidate = Path.GetFullPath(Path.Combine(Root, chosen));
        bool plain = chosen.Length <= 200 && chosen.IndexOfAny(['/', '\\']) < 0 && !chosen.Contains("..", StringComparison.Ordinal)
                     && chosen.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;
        if (!plain || Path.GetDirectoryName(candidate) != Root.TrimEnd(Path.DirectorySeparatorChar) || !Directory.Exists(candidate)
            || !PuzzleCheckpoint.IsPuzzle(candidate))
        {
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

    private static PuzzleCheckpointListing Describe(string name, string directory)
    {
        try
        {
            var (config, metadata) = PuzzleCheckpoint.Inspect(directory);
            string summary = $"{config.Architecture}, width {config.Width}, {metadata.Step:N0} steps on {metadata.Corpus}";
            return new PuzzleCheckpointListing(name, config.Task, metadata.ParameterCount, summary, true, null);
        }
        catch (CheckpointException e)
        {
            return new PuzzleCheckpointListing(name, "", 0, "", false, e.Message);
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
