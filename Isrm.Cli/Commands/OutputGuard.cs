namespace Isrm.Cli.Commands;

/// <summary>
/// Nothing a user has is overwritten without being asked: a command that writes a file or a folder refuses one that
/// exists (a folder: one that holds anything), naming it and the flag that allows it; <c>--force</c> replaces it.
/// </summary>
internal static class OutputGuard
{
    /// <summary>Refuses an existing <paramref name="path"/> unless <paramref name="force"/>.</summary>
    public static void File(string path, bool force, string option)
    {
        if (force || !System.IO.File.Exists(path)) return;
        throw new ArgumentException($"{option} '{path}' already exists; pass --force to replace it, or choose another path.");
    }

    /// <summary>
    /// Refuses a folder that exists and is not empty unless <paramref name="force"/>; with it, the folder is emptied
    /// first (the user asked for a fresh start there).
    /// </summary>
    public static void Folder(string path, bool force, string option, string? whatItHolds = null)
    {
        if (!Directory.Exists(path) || !Directory.EnumerateFileSystemEntries(path).Any()) return;
        if (!force)
            throw new ArgumentException($"{option} '{path}' already holds {whatItHolds ?? Contents(path)}; pass --force to replace it, or choose another folder.");
        Directory.Delete(path, recursive: true);
    }

    /// <summary>"3 files (notes.txt, …)" — what a folder holds, for the refusal.</summary>
    public static string Contents(string path)
    {
        string[] entries = Directory.EnumerateFileSystemEntries(path).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        string shown = string.Join(", ", entries.Take(3).Select(CliOptions.Shown)) + (entries.Length > 3 ? ", …" : "");
        return $"{entries.Length} {(entries.Length == 1 ? "entry" : "entries")} ({shown})";
    }
}
