using System.Text.Json;
using System.Text.Json.Serialization;

namespace Isrm.Model.Config;

/// <summary>
/// An enum written and read as its kebab-case name (<c>ConcatProject</c> ↔ <c>"concat-project"</c>), so the option
/// strings of config.json, the command line and the wire stay what they always were while the code gets a closed set.
/// Reading is case-insensitive; a name outside the set fails with a <see cref="JsonException"/> listing the choices.
/// </summary>
public sealed class KebabCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    where T : struct, Enum;

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

    /// <summary>Parses a kebab-case name; throws <see cref="ArgumentException"/> naming <paramref name="option"/> and the choices.</summary>
    public static T Parse<T>(string text, string option) where T : struct, Enum
    {
        string wanted = text.Trim();
        foreach (T value in Enum.GetValues<T>())
            if (string.Equals(value.Kebab(), wanted, StringComparison.OrdinalIgnoreCase)) return value;
        throw new ArgumentException($"{option} must be {Choices<T>()} (got '{text}').");
    }
}
