using System.Globalization;

namespace Isrm.Model.Refinement;

/// <summary>What an intervention puts in place of the thought (<see cref="InterventionRequest.Change"/>).</summary>
[JsonConverter(typeof(InterventionChangeConverter))]
public enum InterventionChange
{
    /// <summary>The state replaced by a fresh random one (Gaussian of the state's own size), drawn from the request's seed.</summary>
    Random,
    /// <summary>
    /// The state replaced by another seed's state at the same step: for text, the same position refined from the seeded
    /// start of <see cref="InterventionRequest.Seed"/>; for a puzzle, the instance that seed makes (same size and generator).
    /// </summary>
    Seed,
    /// <summary>The state multiplied by <see cref="InterventionRequest.Scale"/>.</summary>
    Scale,
    /// <summary>Text only: the position reads <see cref="InterventionRequest.Token"/>'s embedding from the next step on.</summary>
    Token,
}

/// <summary>
/// <see cref="InterventionChange"/> as <c>random</c>, <c>seed</c>, <c>scale</c> or <c>token</c>. Any other value is
/// read as a change that is none of them, so the request is refused with <see cref="InterventionRequest.Problem"/>'s
/// sentence rather than a binding error.
/// </summary>
public sealed class InterventionChangeConverter : JsonConverter<InterventionChange>
{
    public static readonly string[] Names = ["random", "seed", "scale", "token"];

    /// <summary>The change a name gives, or null.</summary>
    public static InterventionChange? Parse(string? name) => Array.IndexOf(Names, name?.Trim().ToLowerInvariant() ?? "") is int i and >= 0 ? (InterventionChange)i : null;

    public static string Name(InterventionChange change) => (int)change is int i and >= 0 and < 4 ? Names[i] : "unknown";

    public override InterventionChange Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        string? text = reader.TokenType == System.Text.Json.JsonTokenType.String ? reader.GetString() : null;
        if (reader.TokenType is System.Text.Json.JsonTokenType.StartObject or System.Text.Json.JsonTokenType.StartArray) reader.Skip();
        return Parse(text) ?? (InterventionChange)(-1);
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, InterventionChange value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(Name(value));
}

/// <summary>
/// An intervention as a page, a link or a hub client asks for it: after step <see cref="Step"/> (0 = at the start) of
/// the token at <see cref="At"/> (text; puzzles have one run), the thought is changed as <see cref="Change"/> says and
/// refinement continues from there. <see cref="Problem"/> says in one sentence what is wrong with it.
/// </summary>
public sealed record InterventionRequest
{
    /// <summary>Text: the index of the generated token whose refinement is changed (0 = the first).</summary>
    public int At { get; init; }
    /// <summary>The change comes after this step (0 = replace the start).</summary>
    public int Step { get; init; }
    public InterventionChange Change { get; init; } = InterventionChange.Random;
    /// <summary>Seed of the random state, or the other seed whose state is taken.</summary>
    public long Seed { get; init; } = 2;
    /// <summary>Factor of a scaled copy.</summary>
    public double Scale { get; init; } = 2;
    /// <summary>Text: the token whose embedding is forced (one token of the checkpoint's vocabulary).</summary>
    public string? Token { get; init; }

    /// <summary>The most a scaled copy may multiply or divide by.</summary>
    public const double MaxScale = 1000;

    /// <summary>
    /// One sentence for an intervention the run cannot make, or null: <paramref name="k"/> is the run's K (with its
    /// cap), <paramref name="maxTokens"/> the tokens asked for (text; null for a puzzle).
    /// </summary>
    public string? Problem(RefinementDepth k, int? maxTokens)
    {
        int last = k.Limit();
        string depth = k.IsInfinite ? $"K = ∞, capped at {k.Cap}" : $"K = {last}";
        return this switch
        {
            { Step: < 0 } => $"The intervention's step must be ≥ 0 (0 = at the start); got {Step}.",
            _ when Step >= last => $"The intervention comes after step {Step}, but the run ends at step {last} ({depth}): pick a step below {last}.",
            { At: < 0 } => $"The intervention's token must be ≥ 0 (0 = the first generated token); got {At}.",
            _ when maxTokens is int n && At >= n => $"The intervention is on token #{At}, but only {n} {(n == 1 ? "token is" : "tokens are")} asked for (#0–#{n - 1}).",
            { Seed: < 0 } => $"The intervention's seed must be ≥ 0; got {Seed}.",
            { Change: InterventionChange.Scale } when !double.IsFinite(Scale) || Scale == 0 || Math.Abs(Scale) > MaxScale || Math.Abs(Scale) < 1 / MaxScale =>
                $"The scale must be a finite factor between 1/{MaxScale:0} and {MaxScale:0} in size (negative flips the state); got {Scale.ToString(CultureInfo.InvariantCulture)}.",
            { Change: InterventionChange.Token } when maxTokens is null => "Forcing a token is for text models: a puzzle's cells have no tokens; choose random, seed or scale.",
            { Change: InterventionChange.Token } when string.IsNullOrEmpty(Token) => "Name the token to force (one token of the checkpoint's vocabulary, e.g. one character).",
            { Change: not (InterventionChange.Random or InterventionChange.Seed or InterventionChange.Scale or InterventionChange.Token) } =>
                "The intervention's change must be random, seed, scale or token.",
            _ => null,
        };
    }

    /// <summary>The intervention in words, for a status line and a chart's title.</summary>
    public string Describe(bool text) => (text ? $"token #{At}, " : "") + $"after step {Step}: " + Change switch
    {
        InterventionChange.Random => $"state replaced by a random one (seed {Seed})",
        InterventionChange.Seed => text ? $"state replaced by seed {Seed}'s state" : $"state replaced by that of the instance of seed {Seed}",
        InterventionChange.Scale => $"state × {Scale.ToString("0.###", CultureInfo.InvariantCulture)}",
        _ => $"input forced to '{Token}'",
    };
}

/// <summary>
/// Path independence for one generated token: token <see cref="At"/> (the tokens before it as the request makes them)
/// is refined from the network's own start and from <see cref="Starts"/> − 1 fresh random starts of its position, drawn
/// from <see cref="Seed"/>; generation ends with that token. <see cref="Problem"/> says what is wrong in one sentence.
/// </summary>
public sealed record StartsRequest
{
    public int At { get; init; }
    public int Starts { get; init; } = 8;
    public long Seed { get; init; } = 1;

    public string? Problem(int maxTokens) => this switch
    {
        { Starts: < 2 or > PathStep.MaxStarts } => $"The number of starts must be from 2 to {PathStep.MaxStarts}; got {Starts}.",
        { At: < 0 } => $"The starts' token must be ≥ 0 (0 = the first generated token); got {At}.",
        _ when At >= maxTokens => $"The starts are for token #{At}, but only {maxTokens} {(maxTokens == 1 ? "token is" : "tokens are")} asked for (#0–#{maxTokens - 1}).",
        { Seed: < 0 } => $"The seed of the starts must be ≥ 0; got {Seed}.",
        _ => null,
    };
}
