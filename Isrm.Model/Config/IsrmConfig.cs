namespace Isrm.Model.Config;

/// <summary>Every option of the model, with defaults; written to and read from a checkpoint's <c>config.json</c>.</summary>
public sealed record IsrmConfig
{
    /// <summary>Which model (see <see cref="ModelFamily"/>).</summary>
    public ModelFamily Family { get; init; } = ModelFamily.Isrm;
    /// <summary>The text task the model was trained on (<c>addition</c>, …); absent for a language model of a corpus.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Task { get; init; }

    // Token interface
    public int VocabSize { get; init; } = 256;
    public int MaxContext { get; init; } = 256;
    public bool TiedEmbeddings { get; init; } = true;

    // TinyNetwork (whitepaper §3.2)
    public int Width { get; init; } = 192;
    public int Layers { get; init; } = 2;
    public int QueryHeads { get; init; } = 6;
    public int KvHeads { get; init; } = 2;
    public int FfnWidth { get; init; } = 512;
    public float RopeTheta { get; init; } = 10000f;
    public float NormEpsilon { get; init; } = 1e-5f;
    /// <summary>Rotary token positions on every head, or token positions and digit significance on half the heads each.</summary>
    public PositionKind Positions { get; init; } = PositionKind.Rope;
    /// <summary>Causal attention everywhere, or both ways among a task prompt's tokens (the answer stays causal).</summary>
    public PromptAttentionKind PromptAttention { get; init; } = PromptAttentionKind.Causal;
    /// <summary>
    /// With significance positions: a token attends only to tokens whose significance differs by at most this much
    /// (a local update, so information such as a carry moves a bounded distance per step); 0 = no limit.
    /// </summary>
    public int SignificanceWindow { get; init; }

    // Refinement (whitepaper §3.3–3.4 and the fixes measured in reports/scaling.md)
    /// <summary>Latent iterations per step; 0 = the answer state y is updated from (x, y) alone.</summary>
    public int LatentIterations { get; init; } = 0;
    public InitialStateKind InitialState { get; init; } = InitialStateKind.Learned;
    public float InitStateStd { get; init; } = 1f;
    public StepEmbeddingKind StepEmbedding { get; init; } = StepEmbeddingKind.Sinusoidal;
    public bool StepScaleAttn { get; init; } = true;
    public bool StepScaleFfn { get; init; } = true;
    public AlphaScheduleKind AlphaSchedule { get; init; } = AlphaScheduleKind.Whitepaper;
    public float AlphaC { get; init; } = 1f;
    public InjectionKind InputInjection { get; init; } = InjectionKind.Add;
    /// <summary>RMS-normalise the states before they enter the network (sandwich norm).</summary>
    public bool StateNorm { get; init; } = false;
    /// <summary>
    /// RMS-normalise the re-injected input (the embeddings, or the prelude's output) before it is combined with the state:
    /// embeddings start at N(0, 0.02) while a normalised state has RMS 1, so without it the input starts ~50× fainter.
    /// </summary>
    public bool InputNorm { get; init; } = false;
    public bool HaltingHead { get; init; } = true;
    /// <summary>
    /// ISRM: blocks of their own applied once to the token embeddings before the loop (Huginn's prelude); their output is
    /// what every step re-injects. 0 = the embeddings are injected directly.
    /// </summary>
    public int Prelude { get; init; }
    /// <summary>
    /// ISRM: position-wise SwiGLU blocks of their own between the state and the final norm (a coda without attention,
    /// so every step's logits stay one call per position); 0 = none.
    /// </summary>
    public int Coda { get; init; }
    /// <summary>
    /// Norm after each residual addition as well as before each sub-layer (Huginn's sandwich block); false = pre-norm only.
    /// </summary>
    public bool SandwichNorm { get; init; }

    // Solver for K = ∞ and the Anderson option
    public SolverKind Solver { get; init; } = SolverKind.Iterate;
    public int AndersonMemory { get; init; } = 5;
    public float AndersonBeta { get; init; } = 1f;

    // Recurrent families (the RLM proposal; reports/rlm.md)
    /// <summary>RLM: size of the neuron activation vector updated once per token.</summary>
    public int Neurons { get; init; } = 128;
    /// <summary>RLM: neuron pairs (i ≤ j) whose decayed product forms the synchronisation state; at most N(N+1)/2.</summary>
    public int SyncPairs { get; init; } = 512;
    /// <summary>RLM: mean initial decay r = sigmoid(θ) of the synchronisation, spread ±1 in logit space over pairs.</summary>
    public float SyncDecayInit { get; init; } = 0.9f;
    /// <summary>RLT / gated RLT: memory slots of width Width carried from token to token.</summary>
    public int MemorySlots { get; init; } = 8;
    /// <summary>
    /// Recurrent families: core updates per token the model is trained with (tick k reads x + norm(y_{k−1})). 1 = one
    /// pass (K fixed at 1); more makes the model refine like ISRM, so any K (and K = ∞) can be asked at inference.
    /// </summary>
    public int Ticks { get; init; } = 1;
    /// <summary>
    /// Recurrent families: 0 = the core alone; W > 0 adds an attention memory over the last W tokens (the proposal's
    /// hybrid, <see cref="Recurrent.HybridCore"/>): state grows by 2·W·Width + Width floats, then stays fixed.
    /// </summary>
    public int Window { get; init; }

    public int HeadDim => Width / QueryHeads;
    // Written into config.json by every build so far (and read back as a known, computed member): kept so old and new
    // files stay alike; the code asks Family instead.
    [JsonInclude, JsonPropertyName("isTransformer")]
    private bool TransformerFlag => Family == ModelFamily.Transformer;
    /// <summary>RLM, RLT or gated RLT: a fixed-size state carried across tokens instead of attention over the context.</summary>
    public bool IsRecurrent => Family is ModelFamily.Rlm or ModelFamily.Rlt or ModelFamily.GatedRlt;
    /// <summary>Tokens one sequence may hold: MaxContext for attention, unbounded for a fixed-size recurrent state.</summary>
    [JsonIgnore] public int ReadableContext => IsRecurrent ? int.MaxValue : MaxContext;
    /// <summary>One pass per token (K = 1): the transformer and one-tick recurrent models; ISRM and ticked models refine.</summary>
    public bool IsSinglePass => Family == ModelFamily.Transformer || (IsRecurrent && Ticks == 1);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and validates; unknown options are refused so a typo never silently falls back to a default.</summary>
    public static IsrmConfig FromJson(string json)
    {
        var strict = new JsonSerializerOptions(Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
        IsrmConfig config;
        try
        {
            config = JsonSerializer.Deserialize<IsrmConfig>(json, strict) ?? throw new JsonException("config is empty");
        }
        catch (EnumValueException e)
        {
            throw new ArgumentException(e.Sentence, e);
        }
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with one sentence for the first invalid option.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Require(VocabSize > 1, "vocabSize must be at least 2.");
        Require(Width > 0 && Layers > 0 && FfnWidth > 0 && MaxContext > 0, "width, layers, ffnWidth and maxContext must be positive.");
        Require(QueryHeads > 0 && KvHeads > 0 && QueryHeads % KvHeads == 0, "queryHeads must be a positive multiple of kvHeads.");
        Require(Width % QueryHeads == 0 && HeadDim % 2 == 0, "width must split into an even head dimension per query head.");
        Require(LatentIterations >= 0, "latentIterations must be 0 or more.");
        Require(AlphaC > 0 && AlphaC <= 1, "alphaC must be in (0, 1].");
        Require(AndersonMemory >= 1, "andersonMemory must be at least 1.");
        Require(Neurons > 1, "neurons must be at least 2.");
        Require(SyncPairs >= 1 && SyncPairs <= (long)Neurons * (Neurons + 1) / 2, $"syncPairs must be between 1 and neurons·(neurons+1)/2 = {(long)Neurons * (Neurons + 1) / 2}.");
        Require(SyncDecayInit > 0 && SyncDecayInit < 1, "syncDecayInit must be in (0, 1).");
        Require(Ticks >= 1 && (Ticks == 1 || IsRecurrent), "ticks must be at least 1, and above 1 only for rlm, rlt or gated-rlt.");
        Require(MemorySlots >= 1 && MemorySlots < MaxContext, "memorySlots must be at least 1 and below maxContext.");
        Require(Window >= 0 && (Window == 0 || IsRecurrent), "window must be 0 or more, and above 0 only for rlm, rlt or gated-rlt.");
        Require(Positions != PositionKind.RopeSignificance || (!IsRecurrent && QueryHeads % 2 == 0 && KvHeads % 2 == 0),
            "positions rope-significance needs isrm or transformer with an even number of query and key/value heads.");
        Require(Positions != PositionKind.Significance || !IsRecurrent, "positions significance needs isrm or transformer.");
        Require(SignificanceWindow >= 0 && (SignificanceWindow == 0 || Positions != PositionKind.Rope),
            "significanceWindow must be 0 or more, and above 0 only with positions rope-significance or significance.");
        Require(PromptAttention == PromptAttentionKind.Causal || !IsRecurrent, "promptAttention bidirectional needs isrm or transformer.");
        Require(Prelude >= 0 && Coda >= 0 && (Prelude + Coda == 0 || Family == ModelFamily.Isrm), "prelude and coda must be 0 or more, and above 0 only for isrm.");
    }
}
