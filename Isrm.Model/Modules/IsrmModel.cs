using Isrm.Model.Recurrent;

namespace Isrm.Model.Modules;

/// <summary>What one refinement step produced. Delta = ‖α_k (f − y)‖ and residual = ‖f − y‖ per position, (B, T).</summary>
public sealed record StepOutput(Tensor Y, Tensor Z, float Alpha, Tensor? Delta, Tensor? Residual)
{
    /// <summary>The step's read-outs of <see cref="Y"/>, when a <see cref="StepScheduler"/> computed them with the step.</summary>
    public StepReadings? Readings { get; init; }
}

/// <summary>
/// Every family as one model: embed → the family's steps (<see cref="IFamilyCore"/>: ISRM and the transformer are a
/// <see cref="RefinedNetwork"/>, rlm / rlt / gated-rlt a <see cref="RecurrentFamily"/>) → final norm and tied head.
/// The trainer, checkpoints, evaluator and generator run every family through this one type.
/// </summary>
public sealed class IsrmModel : nn.Module, IStepNetwork, IBatchableSteps
{
    private readonly Embedding embedding;
    private readonly IFamilyCore _core;
    private readonly RmsNorm final_norm;
    private readonly Linear? lm_head;
    private readonly Linear? halt_head;
    private readonly TinyNetwork? prelude;
    private readonly RmsNorm? input_norm;
    private readonly ModuleList<CodaBlock>? coda;

    public IsrmConfig Config { get; }

    public IsrmModel(IsrmConfig config) : base(nameof(IsrmModel))
    {
        config.Validate();
        Config = config;
        int d = config.Width;
        embedding = nn.Embedding(config.VocabSize, d);
        using (no_grad()) embedding.weight!.normal_(0, 0.02);   // nn.Embedding starts at N(0, 1): far too large for a tied head
        _core = config.IsRecurrent ? new RecurrentFamily(config) : new RefinedNetwork(config);
        final_norm = new RmsNorm(d, config.NormEpsilon);
        if (!config.TiedEmbeddings) lm_head = nn.Linear(d, config.VocabSize, hasBias: false);
        if (config.HaltingHead && !config.IsSinglePass) halt_head = nn.Linear(d, 1);
        if (config.InputNorm && !config.IsSinglePass) input_norm = new RmsNorm(d, config.NormEpsilon);
        if (config.Prelude > 0) prelude = new TinyNetwork(config with { Layers = config.Prelude, StepEmbedding = StepEmbeddingKind.None });
        if (config.Coda > 0)
            coda = new ModuleList<CodaBlock>(Enumerable.Range(0, config.Coda).Select(_ => new CodaBlock(d, config.FfnWidth, config.NormEpsilon)).ToArray());
        RegisterComponents();
        foreach (var (name, component) in _core.Components)
        {
            if (component is Parameter parameter) register_parameter(name, parameter);
            else register_module(name, (nn.Module)component);
        }
    }

    public long ParameterCount => parameters().Sum(p => p.numel());

    public Device Device => embedding.weight!.device;

    /// <summary>The family's start state and step.</summary>
    public IFamilyCore Core => _core;

    /// <summary>The recurrent core of an rlm / rlt / gated-rlt model; null for isrm and transformer.</summary>
    public RecurrentCore? Recurrent => (_core as RecurrentFamily)?.Core;

    /// <summary>tokens (B, T) → x (B, T, D).</summary>
    public Tensor Embed(Tensor tokens) => embedding.forward(tokens);

    /// <summary>True when the re-injected input is not the embeddings themselves (a prelude or an input norm).</summary>
    public bool TransformsInput => prelude is not null || input_norm is not null;

    /// <summary>
    /// Embeddings x (B, T, D) → what every step re-injects, computed once per run: the prelude's output (if any),
    /// RMS-normalised (if <see cref="IsrmConfig.InputNorm"/>); x itself when neither is configured. With a cache, the
    /// prelude's keys/values of earlier positions are reused and these positions' are appended.
    /// </summary>
    public Tensor Inject(Tensor x, RefinementCache? cache, int offset, TokenLayout? layout = null)
    {
        if (!TransformsInput) return x;
        using var scope = NewDisposeScope();
        Tensor input = prelude is null ? x : prelude.Forward(x, null, cache?.PreludeBuffers(), offset, layout);
        if (input_norm is not null) input = input_norm.forward(input);
        return input.MoveToOuterDisposeScope();
    }

    /// <summary>The states before step 1, (B, T, D) each; a random start comes from the global generator (training).</summary>
    public (Tensor Y, Tensor Z) InitialState(long batch, long length) => InitialState(batch, length, 0, null);

    /// <summary>The states of positions offset … offset+T−1 before step 1; a seeded random start is reproducible per position.</summary>
    public (Tensor Y, Tensor Z) InitialState(long batch, long length, int offset, ulong? seed) =>
        _core.InitialState(batch, length, offset, seed, Device);

    /// <summary>Joins each block's q|k|v and gate|up matrices once for inference (undone by <c>train()</c>).</summary>
    public void JoinForInference()
    {
        _core.JoinForInference();
        prelude?.JoinForInference();
    }

    /// <summary>
    /// One step k ≥ 1 of the family (an ISRM refinement step, the transformer's pass, a recurrent tick).
    /// <paramref name="alphaOverride"/> = 1 gives the undamped map; <paramref name="norms"/> = false skips the delta and
    /// residual norms (null in the output) when nobody reads them.
    /// </summary>
    public StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride = null, RefinementCache? cache = null, int offset = 0, bool norms = true, TokenLayout? layout = null) =>
        _core.Step(x, y, z, k, alphaOverride, cache, offset, norms, layout);

    /// <summary>y (B, T, D) → logits (B, T, V) through the final norm and the (tied) head.</summary>
    public Tensor Logits(Tensor y)
    {
        using var scope = NewDisposeScope();
        if (coda is not null)
            foreach (CodaBlock block in coda) y = block.forward(y);
        Tensor normed = final_norm.forward(y);
        // Kept in float32 under bf16 mixed precision: logits of size ~10 would carry errors of ~0.04 in bfloat16, and
        // the head is a small part of a step's matmuls.
        Tensor logits = nn.functional.linear(normed, lm_head is null ? embedding.weight! : lm_head.weight!);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>PonderNet halting probability per position (B, T); zeros when the model has no halting head.</summary>
    public Tensor HaltProbability(Tensor y) =>
        halt_head is null ? zeros(y.shape[0], y.shape[1], device: y.device) : sigmoid(halt_head.forward(y).squeeze(-1));

    // The engine's seam (IStepNetwork): the family's own members, with the run's place.
    bool IStepNetwork.IsSinglePass => Config.IsSinglePass;

    AndersonMixer? IStepNetwork.NewMixer() =>
        Config.Solver == SolverKind.Anderson ? new AndersonMixer(Config.AndersonMemory, Config.AndersonBeta) : null;

    Tensor IStepNetwork.Inject(Tensor x, StepPlace place) => Inject(x, place.Cache, place.Offset, place.Layout);

    (Tensor Y, Tensor Z) IStepNetwork.InitialState(Tensor x, StepPlace place, ulong? seed)
    {
        long[] shape = x.shape;   // one read of every dimension
        return InitialState(shape[0], shape[1], place.Offset, seed);
    }

    StepOutput IStepNetwork.Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, StepPlace place, bool norms) =>
        Step(x, y, z, k, alphaOverride, place.Cache, place.Offset, norms, place.Layout);

    // Batched decoding (StepScheduler): a cached step of one new position per request, on token positions, joins others.
    object? IBatchableSteps.BatchKey(StepCall call) =>
        _core is RefinedNetwork && call.Place is { Cache: not null, Layout: null } && call.Shape[0] == 1 && call.Shape[1] == 1
        && Config.Positions == PositionKind.Rope && Config.SignificanceWindow == 0
            ? call.Norms : null;

    (StepOutput Rows, float[] Alphas) IBatchableSteps.StepBatch(IReadOnlyList<StepCall> calls)
    {
        var (y, z, delta, residual, alphas) = ((RefinedNetwork)_core).StepRows(calls, calls[0].Norms);
        return (new StepOutput(y, z, float.NaN, delta, residual), alphas);
    }
}
