using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Isrm.Web.Hubs;

/// <summary>
/// K on the wire: a JSON integer or the string "inf". Anything else is kept as <see cref="Invalid"/> text so that
/// validation can say what was wrong instead of failing in argument binding.
/// </summary>
[JsonConverter(typeof(StepCountJsonConverter))]
public readonly record struct StepCount(int? Steps, bool IsInfinite, string? Invalid)
{
    public static StepCount Infinite => new(null, true, null);
    public static StepCount Of(int steps) => new(steps, false, null);

    public override string ToString() =>
        IsInfinite ? "inf" : Steps?.ToString(CultureInfo.InvariantCulture) ?? Invalid ?? "";
}

/// <summary>Reads an integer or "inf"/"∞"; keeps anything else as invalid text.</summary>
public sealed class StepCountJsonConverter : JsonConverter<StepCount>
{
    public override StepCount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetInt32(out int n) ? StepCount.Of(n)
                    : new StepCount(null, false, reader.GetDouble().ToString(CultureInfo.InvariantCulture));
            case JsonTokenType.String:
                string text = reader.GetString() ?? "";
                if (text.Trim() is "inf" or "∞" or "Infinity" or "infinity") return StepCount.Infinite;
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)
                    ? StepCount.Of(parsed) : new StepCount(null, false, text);
            default:
                using (JsonDocument.ParseValue(ref reader)) return new StepCount(null, false, reader.TokenType.ToString());
        }
    }

    public override void Write(Utf8JsonWriter writer, StepCount value, JsonSerializerOptions options)
    {
        if (value.IsInfinite) writer.WriteStringValue("inf");
        else if (value.Steps is int n) writer.WriteNumberValue(n);
        else writer.WriteStringValue(value.Invalid ?? "");
    }
}
