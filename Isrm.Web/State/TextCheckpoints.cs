namespace Isrm.Web.State;

/// <summary>The text checkpoints the chat, Compare and Training pages offer (the Puzzles page has the others), and the one they open on.</summary>
public static class TextCheckpoints
{
    public static List<CheckpointListing> List(IRefinementService refinement) =>
        refinement.ListCheckpoints().Where(c => !c.IsPuzzle).ToList();

    /// <summary>The service's default checkpoint when it is listed and usable, else the first usable one.</summary>
    public static string? Opening(IReadOnlyList<CheckpointListing> listed, IRefinementService refinement) =>
        listed.FirstOrDefault(c => c.Usable && c.Name == refinement.DefaultCheckpoint)?.Name ?? listed.FirstOrDefault(c => c.Usable)?.Name;
}
