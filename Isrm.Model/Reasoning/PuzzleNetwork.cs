namespace Isrm.Model.Reasoning;

/// <summary>The architectures a puzzle checkpoint's config.json may name.</summary>
public static class PuzzleArchitectures
{
    /// <summary>Deep-Thinking recall net: 3-wide (3×3) convolutions, input re-injected every step (<see cref="RecallNetwork"/>).</summary>
    public const string DtRecall = "dt-recall";
    /// <summary>Prefix sums: each position's next state from the previous position's state and its own bit (<see cref="CarryNetwork"/>).</summary>
    public const string Carry = "carry";

    /// <summary>TinyNetwork-style pre-norm blocks whose attention sees only each cell's neighbourhood, input re-injected every step (<see cref="NeighbourAttentionNetwork"/>).</summary>
    public const string NeighbourAttention = "neighbour-attention";
    /// <summary>Non-recurrent baseline: a standard transformer with full attention and sinusoidal positions, applied once (<see cref="TransformerNetwork"/>).</summary>
    public const string Transformer = "transformer";

    public static readonly IReadOnlyList<string> All = [DtRecall, Carry, NeighbourAttention, Transformer];

    /// <summary>The architectures whose blocks use attention heads (the config's Heads must divide its Width).</summary>
    public static bool UsesHeads(string architecture) => architecture is NeighbourAttention or Transformer;
}

/// <summary>
/// A network for grids and strings that the refinement engine iterates (<see cref="IStepNetwork"/>): states are
/// (B, C, …) with channels on dimension 1, logits (B, N, 2), one class per position. No network knows absolute
/// positions except the transformer baseline, whose sinusoidal positions are computed for any size, so every one runs
/// at any size.
/// </summary>
public abstract class PuzzleNetwork : nn.Module, IStepNetwork, IBatchableSteps
{
    protected PuzzleNetwork(string name, PuzzleNetConfig config) : base(name)
    {
        config.Validate();
        Config = config;
    }

    public PuzzleNetConfig Config { get; }

    public long ParameterCount => parameters().Sum(p => p.numel());

    public Device Device => parameters().First().device;

    /// <summary>False for a network applied once whose Step ignores the state: the engine runs it once at every K, and it trains with one step.</summary>
    public virtual bool Recurrent => true;

    /// <summary>The state before step 1, from the cells x.</summary>
    public abstract Tensor InitialState(Tensor x);

    /// <summary>One step: the next state from the cells (re-injected) and the current state.</summary>
    public abstract Tensor Step(Tensor x, Tensor y);

    public abstract Tensor Logits(Tensor y);

    /// <summary>Euclidean distance between the two states' channel vectors, per position: (B, N).</summary>
    public virtual Tensor Change(Tensor previous, Tensor next) => (next - previous).Squared().sum(1).sqrt().flatten(1);

    // The engine's seam (IStepNetwork): one state y (z is empty), undamped steps (α = 1), delta = residual =
    // ‖y_k − y_{k−1}‖ per position, no halting head.
    bool IStepNetwork.IsSinglePass => !Recurrent;

    AndersonMixer? IStepNetwork.NewMixer() => null;

    Tensor IStepNetwork.Inject(Tensor x, StepPlace place) => x;

    (Tensor Y, Tensor Z) IStepNetwork.InitialState(Tensor x, StepPlace place, ulong? seed) => (InitialState(x), empty(0));

    StepOutput IStepNetwork.Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, StepPlace place, bool norms)
    {
        Tensor next = Step(x, y);
        Tensor? change = null;
        if (norms) using (no_grad()) change = Change(y, next);
        return new StepOutput(next, empty(0), 1f, change, change?.alias());
    }

    // Batched solves (StepScheduler): instances of one shape are stacked on the batch dimension; every step is the same map.
    object? IBatchableSteps.BatchKey(StepCall call) => call.Place is { Cache: null, Layout: null }
        ? $"{string.Join('x', call.Shape.Skip(1))}|{string.Join('x', call.Y.shape.Skip(1))}|{call.Norms}" : null;

    (StepOutput Rows, float[] Alphas) IBatchableSteps.StepBatch(IReadOnlyList<StepCall> calls)
    {
        Tensor y = cat(calls.Select(c => c.Y).ToArray(), 0);
        Tensor next = Step(cat(calls.Select(c => c.X).ToArray(), 0), y);
        Tensor? change = null;
        if (calls[0].Norms) using (no_grad()) change = Change(y, next);
        return (new StepOutput(next, empty(0), 1f, change, change?.alias()), calls.Select(_ => 1f).ToArray());
    }

    Tensor IStepNetwork.HaltProbability(Tensor y) => zeros(y.shape[0], y.numel() / (y.shape[0] * y.shape[1]), device: y.device);

    /// <summary>The network a config names (fresh weights).</summary>
    public static PuzzleNetwork Create(PuzzleNetConfig config) => config.Architecture switch
    {
        PuzzleArchitectures.DtRecall => new RecallNetwork(config),
        PuzzleArchitectures.Carry => new CarryNetwork(config),
        PuzzleArchitectures.NeighbourAttention => new NeighbourAttentionNetwork(config),
        PuzzleArchitectures.Transformer => new TransformerNetwork(config),
        _ => throw new PuzzleFormatException($"unknown puzzle architecture '{config.Architecture}'; known: {string.Join(", ", PuzzleArchitectures.All)}."),
    };
}
