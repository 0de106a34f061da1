namespace Isrm.Model.Reasoning;

/// <summary>Every option of a puzzle network (the <c>config.json</c> of a puzzle checkpoint).</summary>
public sealed record PuzzleNetConfig
{
    /// <summary>Marks a puzzle checkpoint's config.json so that text-model loaders can tell it apart.</summary>
    public string Kind { get; init; } = PuzzleCheckpoint.Kind;
    public string Task { get; init; } = PuzzleTasks.Default.Name;
    /// <summary>One of <see cref="PuzzleArchitectures.All"/>: "dt-recall" (3×3 or 3-wide convolutions, input re-injected every step), "carry" (prefix sums: previous position's state and own bit), "neighbour-attention" (pre-norm attention blocks over each cell's neighbourhood), "transformer" (non-recurrent baseline, full attention).</summary>
    public string Architecture { get; init; } = PuzzleArchitectures.DtRecall;
    public int Width { get; init; } = 32;
    /// <summary>Residual blocks (two convolutions each) in one recurrent step; for "carry", the hidden layers of its cell; for the attention architectures, their pre-norm blocks (the transformer's distinct layers).</summary>
    public int Blocks { get; init; } = 2;
    /// <summary>Prefix sums only: each position sees itself and the two before it (the answer depends only on the past); for the transformer, causal full attention.</summary>
    public bool Causal { get; init; }
    public int HeadWidth { get; init; } = 8;
    /// <summary>Attention heads of "neighbour-attention" and "transformer" (Width must be a multiple); unused by the others.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>The head reads each position's own state only (1-wide convolutions), so the state must hold the answer.</summary>
    public bool PointwiseHead { get; init; }

    [JsonIgnore] public PuzzleTask PuzzleTask => PuzzleTasks.Parse(Task);
    [JsonIgnore] public int InputChannels => PuzzleTask.InputChannels;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static PuzzleNetConfig FromJson(string json)
    {
        PuzzleNetConfig config = JsonSerializer.Deserialize<PuzzleNetConfig>(json, Json) ?? throw new JsonException("empty config");
        config.Validate();
        return config;
    }

    public void Validate()
    {
        if (Kind != PuzzleCheckpoint.Kind) throw new PuzzleFormatException($"config kind '{Kind}' is not a puzzle network.");
        _ = PuzzleTask;
        if (!PuzzleArchitectures.All.Contains(Architecture))
            throw new PuzzleFormatException($"unknown puzzle architecture '{Architecture}'; known: {string.Join(", ", PuzzleArchitectures.All)}.");
        if (Architecture == PuzzleArchitectures.Carry && PuzzleTask.TwoDimensional)
            throw new PuzzleFormatException($"the carry architecture reads the previous position of a string: it does not apply to {PuzzleTask.Name}.");
        if (Width is < 2 or > 1024) throw new PuzzleFormatException($"width must be between 2 and 1024 (got {Width}).");
        if (Blocks is < 0 or > 16) throw new PuzzleFormatException($"blocks must be between 0 and 16 (got {Blocks}).");
        if (HeadWidth is < 1 or > 1024) throw new PuzzleFormatException($"head width must be between 1 and 1024 (got {HeadWidth}).");
        if (Causal && PuzzleTask.TwoDimensional) throw new PuzzleFormatException($"causal convolutions apply to strings only, not to {PuzzleTask.Name}.");
        if (Heads is < 1 or > 64) throw new PuzzleFormatException($"heads must be between 1 and 64 (got {Heads}).");
        if (PuzzleArchitectures.UsesHeads(Architecture) && Width % Heads != 0)
            throw new PuzzleFormatException($"the {Architecture} architecture splits the width into heads: width {Width} is not a multiple of {Heads} heads.");
        if (PuzzleArchitectures.UsesHeads(Architecture) && Blocks < 1) throw new PuzzleFormatException($"the {Architecture} architecture needs at least one block.");
    }
}
