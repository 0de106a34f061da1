namespace Isrm.Model.Reasoning;

/// <summary>
/// One instance: a Height × Width grid of cell codes (prefix sums: one row of bits; mazes: <see cref="Maze"/> codes)
/// and its ground truth, one bit per cell (parity so far; on the S–E path), always computed from the cells by its
/// <see cref="PuzzleTask"/>. Size is the number of bits, or n for an n×n maze drawn as a (2n+1)×(2n+1) grid.
/// </summary>
public sealed record Puzzle(PuzzleTask Task, int Size, int Height, int Width, byte[] Cells, bool[] Target)
{
    public int CellCount => Height * Width;

    /// <summary>The instance in its file format (no trailing newline).</summary>
    public string ToText() => PuzzleFormat.Write(this);
}
