using System.Text.Encodings.Web;

namespace Isrm.Model.Data;

/// <summary>The <c>corpus.json</c> written next to a cached corpus: where it came from, its hash, and its size.</summary>
public sealed record CorpusManifest
{
    public const string FileName = "corpus.json";

    public required string Package { get; init; }
    public required string Version { get; init; }
    public required string Source { get; init; }
    public required string Integrity { get; init; }
    public required int Documents { get; init; }
    public required long Words { get; init; }
    public required long Characters { get; init; }
    public required SortedDictionary<string, int> Genres { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // Readable hashes and URLs (no \u002B for '+'); the output is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public void Write(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The manifest in <paramref name="directory"/>, or null when there is none.</summary>
    public static CorpusManifest? TryRead(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<CorpusManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new CorpusException($"{path} is not a readable corpus manifest; delete the folder {directory} and run the command again.", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
