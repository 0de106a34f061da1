namespace Isrm.Model.Reasoning;

/// <summary>
/// What to generate: a task, the sizes to draw from and (mazes) the generators to mix. Instance i of seed s is always
/// the same puzzle, so files, training batches and evaluations are reproducible.
/// </summary>
public sealed record PuzzleSource(PuzzleTask Task, IReadOnlyList<int> Sizes, IReadOnlyList<MazeAlgorithm> Algorithms)
{
    public static readonly MazeAlgorithm[] TrainingMix = [MazeAlgorithm.Dfs, MazeAlgorithm.Kruskal, MazeAlgorithm.Prim];

    /// <summary>One instance of the given size from <paramref name="random"/>.</summary>
    public Puzzle Generate(int size, Random random) => Task == PuzzleTask.Mazes
        ? MazeGenerator.Generate(size, Algorithms[random.Next(Algorithms.Count)], random)
        : PrefixSums(size, random);

    /// <summary><paramref name="count"/> instances of each size, in order of size; deterministic in <paramref name="seed"/>.</summary>
    public IEnumerable<Puzzle> Instances(int count, int seed)
    {
        foreach (int size in Sizes)
        {
            var random = new Random(SeededStart.Stream(seed, size, (int)Task));
            for (int i = 0; i < count; i++) yield return Generate(size, random);
        }
    }

    /// <summary>A uniformly random bit string of <paramref name="bits"/> bits.</summary>
    public static Puzzle PrefixSums(int bits, Random random)
    {
        if (bits < 1) throw new PuzzleFormatException($"a prefix-sum string needs at least one bit (got {bits}).");
        var values = new byte[bits];
        for (int i = 0; i < bits; i++) values[i] = (byte)random.Next(2);
        return Puzzle.PrefixSum(values);
    }

    /// <summary>Validates sizes against the limits a reader would accept.</summary>
    public void Validate(PuzzleLimits limits)
    {
        if (Sizes.Count == 0) throw new PuzzleFormatException("give at least one size.");
        foreach (int s in Sizes)
        {
            int max = Task == PuzzleTask.Mazes ? limits.MaxMazeSize : limits.MaxBits;
            int min = Task == PuzzleTask.Mazes ? 2 : 1;
            if (s < min || s > max) throw new PuzzleFormatException($"size {s} is outside {min}…{max} for {Task.Name()}.");
        }
        if (Task == PuzzleTask.Mazes && Algorithms.Count == 0) throw new PuzzleFormatException("give at least one maze generator.");
    }
}
