namespace Isrm.Web.Options;

/// <summary>
/// Limits and places of a puzzle solve, for the Puzzles page and the hub's <c>Solve</c> alike (section
/// <c>Isrm:Puzzles</c>). Loaded models, their threads and the total of requests are the one budget of
/// <see cref="ModelServiceOptions"/>, shared with the text checkpoints.
/// </summary>
public sealed class PuzzleOptions
{
    public const string Section = "Isrm:Puzzles";

    /// <summary>Largest K a solve may ask for; also the hard cap of K = ∞.</summary>
    public int MaxK { get; set; } = 2048;

    /// <summary>Longest prefix-sum string, in bits.</summary>
    public int MaxBits { get; set; } = 1024;

    /// <summary>Largest maze, n for an n×n maze (a (2n+1)×(2n+1) grid).</summary>
    public int MaxMazeSize { get; set; } = 63;

    /// <summary>Longest pasted instance text, in characters (checked before parsing).</summary>
    public int MaxInputChars { get; set; } = 20_000;

    /// <summary>Every step up to this one is streamed; beyond it the stride doubles each time the step doubles (see docs/puzzles-web.md).</summary>
    public int DenseSteps { get; set; } = 128;

    /// <summary>Solves allowed to wait per checkpoint behind the running one; more are answered "busy" at once.</summary>
    public int QueueCapacity { get; set; } = 4;

    /// <summary>The reader's limits of one instance on this server (what a task's sizes and texts are checked against).</summary>
    public PuzzleLimits Reading => new() { MaxBits = MaxBits, MaxMazeSize = MaxMazeSize, MaxInstances = 1, MaxChars = MaxInputChars };

    /// <summary>Folder of <c>isrm solve --json</c> results (accuracy against K) shown beside the grid.</summary>
    public string ReportsPath { get; set; } = "../reports/reasoning";
}
