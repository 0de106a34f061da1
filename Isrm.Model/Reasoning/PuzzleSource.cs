namespace Isrm.Model.Reasoning;

/// <summary>
/// What to generate: a task, the sizes to draw from and the task's variants to mix (mazes: the generators; null: the
/// task's training mix). Instance i of seed s is always the same puzzle, so files, training batches and evaluations
/// are reproducible.
/// </summary>
public sealed record PuzzleSource(PuzzleTask Task, IReadOnlyList<int> Sizes, IReadOnlyList<string>? Variants = null)
{
    /// <summary>The variants mixed: those given, or the task's training mix.</summary>
    public IReadOnlyList<string> Mix => Variants ?? Task.TrainingVariants;

    /// <summary>One instance of the given size from <paramref name="random"/> (a task with variants draws one first).</summary>
    public Puzzle Generate(int size, Random random) =>
        Task.Generate(size, Task.Variants.Count > 0 ? Mix[random.Next(Mix.Count)] : null, random);

    /// <summary><paramref name="count"/> instances of each size, in order of size; deterministic in <paramref name="seed"/>.</summary>
    public IEnumerable<Puzzle> Instances(int count, int seed)
    {
        foreach (int size in Sizes)
        {
            var random = new Random(SeededStart.Stream(seed, size, Task.Stream));
            for (int i = 0; i < count; i++) yield return Generate(size, random);
        }
    }

    /// <summary>Validates sizes against the limits a reader would accept, and the variants against the task.</summary>
    public void Validate(PuzzleLimits limits)
    {
        if (Sizes.Count == 0) throw new PuzzleFormatException("give at least one size.");
        foreach (int s in Sizes)
        {
            int min = Task.MinSize, max = Task.MaxSize(limits);
            if (s < min || s > max) throw new PuzzleFormatException($"size {s} is outside {min}…{max} for {Task.Name}.");
        }
        if (Task.Variants.Count == 0) return;
        if (Mix.Count == 0) throw new PuzzleFormatException($"give at least one {Task.Noun} {Task.VariantLabel.ToLowerInvariant()}.");
        foreach (string variant in Mix) Task.CheckVariant(variant);
    }
}
