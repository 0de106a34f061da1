namespace Isrm.Model.Tasks.PrefixSums;

/// <summary>Prefix sums: a string of bits; the answer at each position is the parity of the bits so far.</summary>
public sealed class PrefixSumsTask : PuzzleTask
{
    /// <summary>The one instance, listed in <see cref="TaskRegistry"/>.</summary>
    public static PrefixSumsTask Instance { get; } = new();

    private PrefixSumsTask() : base(
        "prefix-sums", "Prefix sums (parity of the bits so far)", "prefix-sum string", twoDimensional: false,
        inputChannels: 2 /* present (padding reads as absent, so the first bit can be found), bit */, stream: 0,
        minSize: 1, defaultSize: 32, "the length of a string of bits", "Bits", "0 and 1") { }

    public override IReadOnlyList<string> Aliases => ["prefix-sum", "prefixsums"];
    public override int MaxSize(PuzzleLimits limits) => limits.MaxBits;
    public override string Largest(PuzzleLimits limits) => $"{limits.MaxBits} bits";

    public override Puzzle Generate(int size, string? variant, Random random) => Random(size, random);

    /// <summary>A uniformly random string of <paramref name="bits"/> bits.</summary>
    public static Puzzle Random(int bits, Random random)
    {
        if (bits < 1) throw new PuzzleFormatException($"a prefix-sum string needs at least one bit (got {bits}).");
        var values = new byte[bits];
        for (int i = 0; i < bits; i++) values[i] = (byte)random.Next(2);
        return FromBits(values);
    }

    /// <summary>An instance of these bits; the target is the parity of the bits so far.</summary>
    public static Puzzle FromBits(byte[] bits)
    {
        var target = new bool[bits.Length];
        bool parity = false;
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i] > 1) throw new ArgumentException("a prefix-sum instance holds only the bits 0 and 1.");
            parity ^= bits[i] == 1;
            target[i] = parity;
        }
        return new Puzzle(Instance, bits.Length, 1, bits.Length, bits, target);
    }

    public override void Encode(Puzzle puzzle, Span<float> x)
    {
        int n = puzzle.CellCount;
        for (int j = 0; j < n; j++)
        {
            x[j] = 1;
            x[n + j] = puzzle.Cells[j];
        }
    }

    public override char Symbol(byte code) => (char)('0' + code);

    public override List<Puzzle> Read(string[] lines, PuzzleLimits limits)
    {
        var puzzles = new List<Puzzle>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0) continue;
            if (line.Length > limits.MaxBits)
                throw new PuzzleFormatException($"line {i + 1} has {line.Length:N0} bits; the limit is {limits.MaxBits:N0}.");
            int bad = line.AsSpan().IndexOfAnyExcept('0', '1');
            if (bad >= 0) throw new PuzzleFormatException($"line {i + 1} has '{line[bad]}' at column {bad + 1}; a prefix-sum line holds only 0 and 1.");
            if (puzzles.Count >= limits.MaxInstances) throw new PuzzleFormatException($"the file holds more than {limits.MaxInstances:N0} instances.");
            puzzles.Add(FromBits(line.Select(ch => (byte)(ch - '0')).ToArray()));
        }
        return puzzles;
    }

    public override string Describe(Puzzle p) => $"A string of {p.Size} bits";
}
