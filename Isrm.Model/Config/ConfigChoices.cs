namespace Isrm.Model.Config;

// The closed sets of IsrmConfig's options; config.json, the command line and reports spell them in kebab case.

/// <summary>
/// <c>isrm</c> (refined K times), <c>transformer</c> (the same blocks applied once: the baseline), or a recurrent
/// family of the RLM proposal (one pass, K = 1, one state update per token): <c>rlm</c> (decayed neuron
/// synchronisation), <c>rlt</c> (a transformer block applied recurrently to a fixed memory) or <c>gated-rlt</c>.
/// </summary>
[JsonConverter(typeof(KebabCaseEnumConverter<ModelFamily>))]
public enum ModelFamily { Isrm, Transformer, Rlm, Rlt, GatedRlt }

/// <summary><c>learned</c> y0/z0 vectors, or <c>random</c> N(0, InitStateStd) each forward.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<InitialStateKind>))]
public enum InitialStateKind { Learned, Random }

/// <summary><c>none</c> | <c>stateless</c> (one learned vector for all steps) | <c>sinusoidal</c> (depends on k).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<StepEmbeddingKind>))]
public enum StepEmbeddingKind { None, Stateless, Sinusoidal }

/// <summary><c>whitepaper</c> 0.15/(1+0.15k)·0.97^k | <c>constant</c> c | <c>harmonic</c> c/(k+1).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<AlphaScheduleKind>))]
public enum AlphaScheduleKind { Whitepaper, Constant, Harmonic }

/// <summary><c>add</c> (x + y [+ z]) or <c>concat-project</c> (a linear map of the concatenation).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<InjectionKind>))]
public enum InjectionKind { Add, ConcatProject }

/// <summary><c>iterate</c> (the update rule as written) or <c>anderson</c> (accelerated fixed-point solve of the undamped step).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<SolverKind>))]
public enum SolverKind { Iterate, Anderson }

/// <summary>
/// How attention sees positions: <c>rope</c> (rotary token positions on every head), <c>rope-significance</c> (token
/// positions on half the heads, each token's digit significance on the other half; see <see cref="Modules.TokenLayout"/>)
/// or <c>significance</c> (significance on every head; token order only through the causal mask).
/// </summary>
[JsonConverter(typeof(KebabCaseEnumConverter<PositionKind>))]
public enum PositionKind { Rope, RopeSignificance, Significance }

/// <summary>
/// <c>causal</c> (every token attends to earlier ones) or <c>bidirectional</c> (the tokens of a task prompt, up to and
/// including its '=', attend to each other both ways; the answer stays causal).
/// </summary>
[JsonConverter(typeof(KebabCaseEnumConverter<PromptAttentionKind>))]
public enum PromptAttentionKind { Causal, Bidirectional }
