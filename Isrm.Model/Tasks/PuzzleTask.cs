namespace Isrm.Model.Tasks;

/// <summary>
/// The task seam of the easy-to-hard puzzles. Everything in which one puzzle task differs from another — its name, how
/// an instance is generated, read, written and encoded for a network, which sizes it has, and how the Puzzles page
/// describes and edits it — lives in the task's own folder (<c>Tasks/Mazes</c>, <c>Tasks/PrefixSums</c>) behind this
/// class. The trainer, solver, networks, service, command line and page ask the task; none of them switches on its
/// name. A new task is a new folder with a subclass, added to <see cref="TaskRegistry"/>.
/// </summary>
public abstract class PuzzleTask(
    string name, string title, string noun, bool twoDimensional, int inputChannels, int stream,
    int minSize, int defaultSize, string sizeMeaning, string sizeLabel, string alphabet)
{
    /// <summary>The name the command line, files, checkpoints (<c>config.json</c>) and JSON use.</summary>
    public string Name { get; } = name;

    /// <summary>Other spellings <see cref="PuzzleTasks.Parse"/> accepts.</summary>
    public virtual IReadOnlyList<string> Aliases => [];

    /// <summary>What the page's task list says of it.</summary>
    public string Title { get; } = title;

    /// <summary>One instance, as a count ("maze", "prefix-sum string").</summary>
    public string Noun { get; } = noun;

    /// <summary>
    /// Instances are grids of rows and columns (2-D convolutions, 3×3 neighbourhoods, 2-D positions; a batch may be
    /// turned and mirrored) rather than strings of one row.
    /// </summary>
    public bool TwoDimensional { get; } = twoDimensional;

    /// <summary>Input channels per cell that <see cref="Encode"/> writes.</summary>
    public int InputChannels { get; } = inputChannels;

    /// <summary>
    /// The task's random stream: instance i of seed s is the same puzzle in every file, batch and evaluation (the
    /// numbers are those of the files written before this seam, so they stay the same).
    /// </summary>
    public int Stream { get; } = stream;

    /// <summary>The smallest size (bits, or n of an n×n maze).</summary>
    public int MinSize { get; } = minSize;

    /// <summary>The size the page starts at: the shipped checkpoint's training size.</summary>
    public int DefaultSize { get; } = defaultSize;

    /// <summary>What a size means, for sentences ("the n of an n×n maze").</summary>
    public string SizeMeaning { get; } = sizeMeaning;

    /// <summary>The page's label of the size field.</summary>
    public string SizeLabel { get; } = sizeLabel;

    /// <summary>The characters an instance is written in, for the page ("#, ., S, E").</summary>
    public string Alphabet { get; } = alphabet;

    /// <summary>The largest size a reader with these limits accepts.</summary>
    public abstract int MaxSize(PuzzleLimits limits);

    /// <summary>The largest instance as the page words it ("127×127", "4,096 bits").</summary>
    public abstract string Largest(PuzzleLimits limits);

    /// <summary>The network a new run trains unless told otherwise (one of <see cref="PuzzleArchitectures.All"/>).</summary>
    public virtual string DefaultArchitecture => PuzzleArchitectures.DtRecall;

    /// <summary>
    /// Kinds of instance the task can generate (mazes: the generating algorithms); empty when there is one kind.
    /// </summary>
    public virtual IReadOnlyList<string> Variants => [];

    /// <summary>The variants a training run mixes unless told otherwise.</summary>
    public virtual IReadOnlyList<string> TrainingVariants => Variants;

    /// <summary>The page's label of the variant choice.</summary>
    public virtual string VariantLabel => "Variant";

    /// <summary>Checks a variant's name; throws <see cref="PuzzleFormatException"/> with one sentence when unknown.</summary>
    public virtual void CheckVariant(string name) =>
        throw new PuzzleFormatException($"{Name} has one kind of instance, so '{name}' cannot be chosen: leave the generator out.");

    /// <summary>One instance of <paramref name="size"/> (of <paramref name="variant"/>, null for the task's first training variant; a task without variants ignores it).</summary>
    public abstract Puzzle Generate(int size, string? variant, Random random);

    /// <summary>
    /// The network's input for one instance: channel c of cell j at <c>x[c·n + j]</c>, n the cell count (padding cells,
    /// never written, read as zeros).
    /// </summary>
    public abstract void Encode(Puzzle puzzle, Span<float> x);

    /// <summary>The character of one cell code in the file format.</summary>
    public abstract char Symbol(byte code);

    /// <summary>Parses every instance of a file's lines; errors name the line (<see cref="PuzzleFormatException"/>).</summary>
    public abstract List<Puzzle> Read(string[] lines, PuzzleLimits limits);

    /// <summary>Written between two instances of a file (after each instance's own newline).</summary>
    public virtual string Separator => "";

    /// <summary>One line about an instance, for the page.</summary>
    public abstract string Describe(Puzzle puzzle);

    /// <summary>
    /// A batch's symmetry: a 2-D task turns the inputs and targets by <paramref name="quarterTurns"/> · 90° and
    /// mirrors them; a string is left as it is. The trainer draws both for every batch, so batches do not depend on it.
    /// </summary>
    public virtual (Tensor X, Tensor Target) Transform(Tensor x, Tensor target, int quarterTurns, bool mirror) => (x, target);

    /// <summary>What the page's canvas edit hint says, or null when instances are not edited on the canvas.</summary>
    public virtual string? EditHint => null;

    /// <summary>
    /// The instance text after an edit on the page's canvas (press and release on (row, col) and (toRow, toCol)), or null
    /// when the edit does nothing. The text goes through the same reading as typed text.
    /// </summary>
    public virtual string? Edit(string text, int row, int col, int toRow, int toCol) => null;

    public override string ToString() => Name;
}

/// <summary>Lookup of the puzzle tasks of <see cref="TaskRegistry"/> by name.</summary>
public static class PuzzleTasks
{
    public static IReadOnlyList<PuzzleTask> All => TaskRegistry.Puzzles;

    /// <summary>The task the page and messages start with.</summary>
    public static PuzzleTask Default => All[0];

    /// <summary>The task of that name (or alias), or null.</summary>
    public static PuzzleTask? Find(string? name)
    {
        string wanted = name?.Trim().ToLowerInvariant() ?? "";
        return All.FirstOrDefault(t => t.Name == wanted || t.Aliases.Contains(wanted));
    }

    /// <summary>The task of that name; anything else is one sentence.</summary>
    public static PuzzleTask Parse(string? name) =>
        Find(name) ?? throw new PuzzleFormatException($"unknown task '{name}': use {string.Join(" or ", All.Select(t => t.Name))}.");
}

/// <summary>A puzzle file, size or request a user can get wrong: the message is one sentence.</summary>
public sealed class PuzzleFormatException(string message) : ArgumentException(message);
