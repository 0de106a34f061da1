namespace Isrm.Model.Config;

/// <summary>
/// An enum written and read as its kebab-case name (<c>ConcatProject</c> ↔ <c>"concat-project"</c>), so the option
/// strings of config.json, the command line and the wire stay what they always were while the code gets a closed set.
/// Reading ignores case; a name outside the set fails with an <see cref="EnumValueException"/> listing the choices.
/// </summary>
public sealed class KebabCaseEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string text = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : reader.TokenType.ToString();
        return EnumNames.TryParse(text, out T value) ? value : throw new EnumValueException(text, EnumNames.Choices<T>());
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Kebab());
}

/// <summary>A JSON string that is not one of an option's names; <see cref="JsonException.Path"/> says which option.</summary>
public sealed class EnumValueException(string value, string choices)
    : JsonException($"'{value}' is not one of {choices}.")
{
    public string Value { get; } = value;
    public string Choices { get; } = choices;

    /// <summary>The option (the last part of the JSON path, e.g. <c>stepEmbedding</c>) and what it may be, in one sentence.</summary>
    public string Sentence => $"{Path?.Split('.').Last() ?? "the value"} must be {Choices} (got '{Value}').";
}

/// <summary>Kebab-case names of enum values, for the command line and error sentences.</summary>
public static class EnumNames
{
    /// <summary>The name <see cref="KebabCaseEnumConverter{T}"/> writes for <paramref name="value"/>.</summary>
    public static string Kebab<T>(this T value) where T : struct, Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Every name of <typeparamref name="T"/>, joined for a sentence: "add or concat-project".</summary>
    public static string Choices<T>() where T : struct, Enum
    {
        string[] names = Enum.GetValues<T>().Select(v => v.Kebab()).ToArray();
        return names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
    }

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        string wanted = text.Trim();
        foreach (T candidate in Enum.GetValues<T>())
            if (string.Equals(candidate.Kebab(), wanted, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        value = default;
        return false;
    }

    /// <summary>Parses a kebab-case name; throws <see cref="ArgumentException"/> naming <paramref name="option"/> and the choices.</summary>
    public static T Parse<T>(string text, string option) where T : struct, Enum =>
        TryParse(text, out T value) ? value : throw new ArgumentException($"{option} must be {Choices<T>()} (got '{text}').");
}
