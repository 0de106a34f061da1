using System.Text.Encodings.Web;

namespace Isrm.Model.Tokenization;

/// <summary>A trained byte-level BPE: token bytes by id (ids 0–255 are the single bytes) and the merges in the order they were learned.</summary>
public sealed record BpeVocabulary(IReadOnlyList<byte[]> Tokens, IReadOnlyList<(int Left, int Right)> Merges)
{
    public const string VocabFile = "vocab.json";
    public const string MergesFile = "merges.txt";

    /// <summary>Writes <c>vocab.json</c> and <c>merges.txt</c> in GPT-2's byte-level format (what Hugging Face and Microsoft.ML.Tokenizers read).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        string[] strings = Tokens.Select(t => ByteLevel.ToTokenString(t)).ToArray();
        using (var stream = File.Create(Path.Combine(directory, VocabFile)))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            for (int id = 0; id < strings.Length; id++) json.WriteNumber(strings[id], id);
            json.WriteEndObject();
        }
        var merges = new StringBuilder("#version: 0.2\n");
        foreach ((int left, int right) in Merges) merges.Append(strings[left]).Append(' ').Append(strings[right]).Append('\n');
        File.WriteAllText(Path.Combine(directory, MergesFile), merges.ToString(), new UTF8Encoding(false));
    }
}
