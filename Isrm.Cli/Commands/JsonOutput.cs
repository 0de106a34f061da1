using System.Text.Encodings.Web;
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

    /// <summary>
    /// A command's <c>--json</c> answer: one compact line on stdout when <paramref name="file"/> is null, else an indented
    /// document written atomically to the file (refused when it exists, unless <paramref name="force"/>).
    /// <paramref name="allowNaN"/> writes non-finite numbers as "NaN" / "Infinity" in the file too (lines always do).
    /// </summary>
    public static void Write(string? file, object value, bool force, bool allowNaN = false)
    {
        if (file is null) { Console.Out.WriteLine(Line(value)); return; }
        OutputGuard.File(file, force, "--json");
        WriteFile(file, JsonSerializer.Serialize(value, value.GetType(), allowNaN ? WithNaN : Options));
    }

    /// <summary>Writes text through a temporary file and a rename, so a reader never sees half a file.</summary>
    public static void WriteFile(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null) Directory.CreateDirectory(folder);
        string temp = full + $".tmp-{Guid.NewGuid():N}";
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw new ArgumentException($"cannot write '{path}' ({e.Message.TrimEnd('.')}).");
        }
    }

    /// <summary>Serialises by the runtime type so that derived records (events) keep all their fields.</summary>
    public static string Line(object value) => JsonSerializer.Serialize(value, value.GetType(), Lines);
}
