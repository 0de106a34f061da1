using System.Text.Json;
using System.Text.Json.Serialization;

namespace Isrm.Model.Config;

/// <summary>Every option of the model, with defaults; written to and read from a checkpoint's <c>config.json</c>.</summary>
public sealed record IsrmConfig
{
    /// <summary>
    /// <c>isrm</c> (refined K times), <c>transformer</c> (the same blocks applied once: the baseline), or a recurrent
    /// family of the RLM proposal (one pass, K = 1, one state update per token): <c>rlm</c> (decayed neuron
    /// synchronisation), <c>rlt</c> (a transformer block applied recurrently to a fixed memory) or <c>gated-rlt</c>.
    /// </summary>
    public string Family { get; init; } = "isrm";

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

    // Refinement (whitepaper §3.3–3.4, DESIGN.md §2, §8)
    /// <summary>Latent iterations per step; 0 = the answer state y is updated from (x, y) alone.</summary>
    public int LatentIterations { get; init; } = 0;
    /// <summary><c>learned</c> y0/z0 vectors, or <c>random</c> N(0, InitStateStd) each forward.</summary>
    public string InitialState { get; init; } = "learned";
    public float InitStateStd { get; init; } = 1f;
    /// <summary><c>none</c> | <c>stateless</c> (one learned vector for all steps) | <c>sinusoidal</c> (depends on k).</summary>
    public string StepEmbedding { get; init; } = "sinusoidal";
    public bool StepScaleAttn { get; init; } = true;
    public bool StepScaleFfn { get; init; } = true;
    /// <summary><c>whitepaper</c> 0.15/(1+0.15k)·0.97^k | <c>constant</c> c | <c>harmonic</c> c/(k+1).</summary>
    public string AlphaSchedule { get; init; } = "whitepaper";
    public float AlphaC { get; init; } = 1f;
    /// <summary><c>add</c> (x + y [+ z]) or <c>concat-project</c> (a linear map of the concatenation).</summary>
    public string InputInjection { get; init; } = "add";
    /// <summary>RMS-normalise the states before they enter the network (sandwich norm).</summary>
    public bool StateNorm { get; init; } = false;
    public bool HaltingHead { get; init; } = true;

    // Solver for K = ∞ and the Anderson option
    /// <summary><c>iterate</c> (the update rule as written) or <c>anderson</c> (accelerated fixed-point solve of the undamped step).</summary>
    public string Solver { get; init; } = "iterate";
    public int AndersonMemory { get; init; } = 5;
    public float AndersonBeta { get; init; } = 1f;

    // Recurrent families (rlm-proposal.txt, DESIGN.md §5)
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

    public int HeadDim => Width / QueryHeads;
    public bool IsTransformer => Family == "transformer";
    /// <summary>RLM, RLT or gated RLT: a fixed-size state carried across tokens instead of attention over the context.</summary>
    public bool IsRecurrent => Family is "rlm" or "rlt" or "gated-rlt";
    /// <summary>Tokens one sequence may hold: MaxContext for attention, unbounded for a fixed-size recurrent state.</summary>
    [JsonIgnore] public int ReadableContext => IsRecurrent ? int.MaxValue : MaxContext;
    /// <summary>One pass per token (K = 1): the transformer and one-tick recurrent models; ISRM and ticked models refine.</summary>
    public bool IsSinglePass => Family == "transformer" || (IsRecurrent && Ticks == 1);

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
        IsrmConfig config = JsonSerializer.Deserialize<IsrmConfig>(json, strict)
            ?? throw new JsonException("config is empty");
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with one sentence for the first invalid option.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Require(Family is "isrm" or "transformer" or "rlm" or "rlt" or "gated-rlt", $"family must be isrm, transformer, rlm, rlt or gated-rlt (got '{Family}').");
        Require(VocabSize > 1, "vocabSize must be at least 2.");
        Require(Width > 0 && Layers > 0 && FfnWidth > 0 && MaxContext > 0, "width, layers, ffnWidth and maxContext must be positive.");
        Require(QueryHeads > 0 && KvHeads > 0 && QueryHeads % KvHeads == 0, "queryHeads must be a positive multiple of kvHeads.");
        Require(Width % QueryHeads == 0 && HeadDim % 2 == 0, "width must split into an even head dimension per query head.");
        Require(LatentIterations >= 0, "latentIterations must be 0 or more.");
        Require(InitialState is "learned" or "random", "initialState must be learned or random.");
        Require(StepEmbedding is "none" or "stateless" or "sinusoidal", "stepEmbedding must be none, stateless or sinusoidal.");
        Require(AlphaSchedule is "whitepaper" or "constant" or "harmonic", "alphaSchedule must be whitepaper, constant or harmonic.");
        Require(AlphaC > 0 && AlphaC <= 1, "alphaC must be in (0, 1].");
        Require(InputInjection is "add" or "concat-project", "inputInjection must be add or concat-project.");
        Require(Solver is "iterate" or "anderson", "solver must be iterate or anderson.");
        Require(AndersonMemory >= 1, "andersonMemory must be at least 1.");
        Require(Neurons > 1, "neurons must be at least 2.");
        Require(SyncPairs >= 1 && SyncPairs <= (long)Neurons * (Neurons + 1) / 2, $"syncPairs must be between 1 and neurons·(neurons+1)/2 = {(long)Neurons * (Neurons + 1) / 2}.");
        Require(SyncDecayInit > 0 && SyncDecayInit < 1, "syncDecayInit must be in (0, 1).");
        Require(Ticks >= 1 && (Ticks == 1 || IsRecurrent), "ticks must be at least 1, and above 1 only for rlm, rlt or gated-rlt.");
        Require(MemorySlots >= 1 && MemorySlots < MaxContext, "memorySlots must be at least 1 and below maxContext.");
    }
}
