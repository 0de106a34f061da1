namespace Isrm.Model.Reasoning;

/// <summary>
/// One instance: a Height × Width grid of cell codes (prefix sums: one row of bits; mazes: <see cref="Maze"/> codes)
/// and its ground truth, one bit per cell (parity so far; on the S–E path), always computed from the cells.
/// Size is the number of bits, or n for an n×n maze drawn as a (2n+1)×(2n+1) grid.
/// </summary>
public sealed record Puzzle(PuzzleTask Task, int Size, int Height, int Width, byte[] Cells, bool[] Target)
{
    public int CellCount => Height * Width;

    /// <summary>The instance in its file format (no trailing newline).</summary>
    public string ToText() => PuzzleFormat.Write(this);

    /// <summary>Builds a prefix-sum instance; the target is the parity of the bits so far.</summary>
    public static Puzzle PrefixSum(byte[] bits)
    {
        var target = new bool[bits.Length];
        bool parity = false;
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i] > 1) throw new ArgumentException("a prefix-sum instance holds only the bits 0 and 1.");
            parity ^= bits[i] == 1;
            target[i] = parity;
        }
        return new Puzzle(PuzzleTask.PrefixSums, bits.Length, 1, bits.Length, bits, target);
    }
}
