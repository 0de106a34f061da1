using System.Globalization;

namespace Isrm.Model.Refinement;

/// <summary>
/// K, the number of refinement steps per token: a whole number, or ∞ (refine until the output stops changing, up to
/// its cap). One type and one name from the command line, the web slider and the hub's JSON down to the refinement
/// loop: parsing, JSON and the check against the cap live here, and the value carries its cap (<see cref="Cap"/>: the
/// most steps ∞ may take and the largest fixed K allowed), so no caller passes a K and a cap side by side. Text that
/// is not a K is kept as <see cref="Invalid"/> so that the edge that received it can answer with <see cref="Problem"/>
/// instead of failing to bind. Two depths are equal when they are the same K; the cap is not part of it.
/// </summary>
[JsonConverter(typeof(RefinementDepthJsonConverter))]
public readonly record struct RefinementDepth
{
    private readonly int _cap;   // 0: the default cap, or the fixed K when that is larger

    private RefinementDepth(int? steps, bool infinite, string? invalid, int cap = 0)
    {
        Steps = steps;
        IsInfinite = infinite;
        Invalid = invalid;
        _cap = cap;
    }

    /// <summary>
    /// The most steps K = ∞ takes, and the largest fixed K allowed: set at the edge (<see cref="Capped"/>, from
    /// configuration or an option); otherwise <see cref="DefaultCap"/>, or the fixed K itself when that is larger.
    /// </summary>
    public int Cap => _cap > 0 ? _cap : Math.Max(DefaultCap, Steps ?? 0);

    /// <summary>This K under <paramref name="cap"/> (not checked: <see cref="Checked(int, string)"/> checks).</summary>
    public RefinementDepth Capped(int cap) =>
        cap >= 1 ? new(Steps, IsInfinite, Invalid, cap) : throw new ArgumentException("the cap on K must be at least 1.");

    /// <summary>The most steps this K takes: the fixed K, or the cap for ∞.</summary>
    public int Limit() => Steps ?? Cap;

    /// <summary>Why this K is not allowed under its own cap, or null.</summary>
    public string? Problem(string name = "k") => Problem(Cap, name);

    public bool Equals(RefinementDepth other) => Steps == other.Steps && IsInfinite == other.IsInfinite && Invalid == other.Invalid;

    public override int GetHashCode() => HashCode.Combine(Steps, IsInfinite, Invalid);

    /// <summary>The default cap of K = ∞ and of any K, when configuration does not say otherwise.</summary>
    public const int DefaultCap = 256;

    /// <summary>K = ∞: refine until the KL between successive steps falls below the tolerance, or the cap.</summary>
    public static RefinementDepth Infinite { get; } = new(null, true, null);

    /// <summary>A fixed K (any integer; <see cref="Problem"/> says whether it is allowed).</summary>
    public static RefinementDepth Of(int steps) => new(steps, false, null);

    /// <summary>Text that is not a K, kept for the error sentence.</summary>
    public static RefinementDepth NotADepth(string text) => new(null, false, text);

    /// <summary>The fixed number of steps; null for ∞ or for text that is not a K.</summary>
    public int? Steps { get; }

    public bool IsInfinite { get; }

    /// <summary>What was given instead of a K (from JSON or the command line), or null.</summary>
    public string? Invalid { get; }

    /// <summary>Reads a whole number, or <c>inf</c> / <c>infinity</c> / <c>∞</c>; anything else becomes <see cref="NotADepth"/>.</summary>
    public static RefinementDepth Parse(string? text)
    {
        string value = (text ?? "").Trim();
        if (value.ToLowerInvariant() is "inf" or "infinity" or "∞") return Infinite;
        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int k) ? Of(k) : NotADepth(text ?? "");
    }

    /// <summary>
    /// Why this K is not allowed under <paramref name="cap"/>, in one sentence naming <paramref name="name"/> (the
    /// option or field the user set), or null when it is fine.
    /// </summary>
    public string? Problem(int cap, string name = "k")
    {
        string allowed = $"{name} must be an integer from 1 to {cap} or \"inf\"";
        if (IsInfinite) return null;
        if (Steps is not int k) return $"{allowed}; got '{Invalid}'.";
        return k < 1 || k > cap ? $"{allowed}; got {k}." : null;
    }

    /// <summary>This K under <paramref name="cap"/>, or an <see cref="ArgumentException"/> carrying <see cref="Problem"/>.</summary>
    public RefinementDepth Checked(int cap, string name = "k") =>
        Problem(cap, name) is string problem ? throw new ArgumentException(problem) : Capped(cap);

    /// <summary>A comma-separated list of K values such as <c>1,8,32,inf</c>, each checked against <paramref name="cap"/>.</summary>
    public static IReadOnlyList<RefinementDepth> ParseList(string? text, int cap, string name)
    {
        var values = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => Parse(part).Checked(cap, name)).ToList();
        return values.Count > 0 ? values : throw new ArgumentException($"{name} needs at least one K, such as 1,8,32.");
    }

    /// <summary>The wire form: the number, <c>inf</c>, or the invalid text.</summary>
    public override string ToString() =>
        IsInfinite ? "inf" : Steps?.ToString(CultureInfo.InvariantCulture) ?? Invalid ?? "";

    /// <summary>For people: the number or ∞.</summary>
    public string Show() => IsInfinite ? "∞" : ToString();

    /// <summary>Finite K values only (for measurements that need a fixed depth), e.g. <c>1,8,32</c>.</summary>
    public static int[] ParseFiniteList(string? text, int cap, string name) =>
        ParseList(text, cap, name).Select(k => k.Steps ?? throw new ArgumentException($"{name} takes finite K values such as 1,8,32 (got 'inf').")).ToArray();

    public static implicit operator RefinementDepth(int steps) => Of(steps);

    /// <summary>null is K = ∞.</summary>
    public static implicit operator RefinementDepth(int? steps) => steps is int k ? Of(k) : Infinite;
}

/// <summary>Reads a JSON integer or a string ("8", "inf", "∞"); keeps anything else as invalid text, never throws.</summary>
public sealed class RefinementDepthJsonConverter : JsonConverter<RefinementDepth>
{
    public override RefinementDepth Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetInt32(out int n) ? RefinementDepth.Of(n)
                    : RefinementDepth.NotADepth(reader.GetDouble().ToString(CultureInfo.InvariantCulture));
            case JsonTokenType.String:
                return RefinementDepth.Parse(reader.GetString());
            default:
                JsonTokenType token = reader.TokenType;
                reader.Skip();
                return RefinementDepth.NotADepth(token.ToString());
        }
    }

    public override void Write(Utf8JsonWriter writer, RefinementDepth value, JsonSerializerOptions options)
    {
        if (value.Steps is int n) writer.WriteNumberValue(n);
        else writer.WriteStringValue(value.ToString());
    }
}

/// <summary>As <see cref="RefinementDepthJsonConverter"/>, but always writes a string ("8", "inf"): the report files' form.</summary>
public sealed class RefinementDepthTextConverter : JsonConverter<RefinementDepth>
{
    private static readonly RefinementDepthJsonConverter Reader = new();

    public override RefinementDepth Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Reader.Read(ref reader, typeToConvert, options);

    public override void Write(Utf8JsonWriter writer, RefinementDepth value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
