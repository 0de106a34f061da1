using System.Text.Json;
using System.Text.Json.Serialization;

namespace Isrm.Web.Puzzles;

/// <summary>
/// What the Puzzles page and a hub client ask <c>Solve</c> for: either <see cref="Text"/> (one instance in the plain
/// puzzle format) or a new random instance of <see cref="Size"/> by <see cref="Seed"/>. Checked by
/// <see cref="SolveRequestValidator"/>.
/// </summary>
public sealed class SolveRequest
{
    /// <summary>Puzzle checkpoint folder name; empty = the first usable one for <see cref="Task"/>.</summary>
    public string? Checkpoint { get; set; }

    /// <summary><c>mazes</c> or <c>prefix-sums</c>; empty = the checkpoint's task.</summary>
    public string? Task { get; set; }

    /// <summary>One instance: a line of 0/1, or a maze block of #, ., S, E. When set, Size, Seed and Generator are ignored.</summary>
    public string? Text { get; set; }

    /// <summary>Bits, or n for an n×n maze.</summary>
    public int? Size { get; set; }

    public int Seed { get; set; } = 1;

    /// <summary>Maze generator: dfs, kruskal, prim, wilson or division.</summary>
    public string? Generator { get; set; } = "dfs";

    /// <summary>A whole number of steps, or "inf" (stop once the answer is stable, at most the configured cap). Numbers may come as JSON numbers.</summary>
    [JsonConverter(typeof(NumberOrTextConverter))]
    public string? K { get; set; } = "inf";
}

/// <summary>
/// Reads a JSON number or string as text, and any other value as a short description of it, so that validation (not
/// argument binding) says what is wrong with a K.
/// </summary>
public sealed class NumberOrTextConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.Number:
                return System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray());
            case JsonTokenType.True or JsonTokenType.False: return reader.GetBoolean() ? "true" : "false";
            default:
                JsonTokenType kind = reader.TokenType;
                reader.Skip();
                return kind == JsonTokenType.StartArray ? "an array" : "an object";
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
