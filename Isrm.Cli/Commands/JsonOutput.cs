using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Isrm.Cli.Commands;

/// <summary>How every <c>--json</c> answer is written: camelCase, indented.</summary>
internal static class JsonOutput
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Readable hashes and URLs (no \u002B for '+'); the output is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>As <see cref="Options"/>, with NaN written as "NaN" (a figure that could not be measured, e.g. a busy client's time to first step).</summary>
    public static JsonSerializerOptions WithNaN { get; } = new(Options) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>One object per line (streams of events): camelCase, compact, nulls left out.</summary>
    public static JsonSerializerOptions Lines { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises by the runtime type so that derived records (events) keep all their fields.</summary>
    public static string Line(object value) => JsonSerializer.Serialize(value, value.GetType(), Lines);
}
