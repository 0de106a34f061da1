namespace Isrm.Web.Puzzles;

/// <summary>
/// What the Puzzles page and a hub client ask <c>Solve</c> for: either <see cref="Text"/> (one instance in the plain
/// puzzle format) or a new random instance of <see cref="Size"/> by <see cref="Seed"/>. Checked by
/// <see cref="SolveRequestValidator"/>.
/// </summary>
public sealed class SolveRequest
{
    /// <summary>Puzzle checkpoint folder name; empty = the first usable one for <see cref="Task"/>.</summary>
    public string? Checkpoint { get; set; }

    /// <summary><c>mazes</c> or <c>prefix-sums</c>; empty = the checkpoint's task.</summary>
    public string? Task { get; set; }

    /// <summary>One instance: a line of 0/1, or a maze block of #, ., S, E. When set, Size, Seed and Generator are ignored.</summary>
    public string? Text { get; set; }

    /// <summary>Bits, or n for an n×n maze.</summary>
    public int? Size { get; set; }

    public int Seed { get; set; } = 1;

    /// <summary>Maze generator: dfs, kruskal, prim, wilson, division, hunt-and-kill, sidewinder, binary-tree or growing-tree.</summary>
    public string? Generator { get; set; } = "dfs";

    /// <summary>A whole number of steps, or "inf" (stop once the answer is stable, at most the configured cap).</summary>
    public RefinementDepth K { get; set; } = RefinementDepth.Infinite;

    /// <summary>
    /// Change the thought after one step and refine on from there; another seed's state comes from the instance that
    /// seed makes with this instance's size and <see cref="Generator"/>. Null = none.
    /// </summary>
    public InterventionRequest? Intervention { get; set; }

    /// <summary>Path independence: solve from this many starting states at once (1 = the network's own start only; at most 16).</summary>
    public int Starts { get; set; } = 1;

    /// <summary>Seed of the random starts 2 … <see cref="Starts"/>.</summary>
    public long StartSeed { get; set; } = 1;
}
