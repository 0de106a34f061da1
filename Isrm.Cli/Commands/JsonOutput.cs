using System.Text.Encodings.Web;
using System.Text.Json;

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
}
