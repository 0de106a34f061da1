using System.Text.Json;

namespace Isrm.Model.Tokenization;

/// <summary>Loads the tokenizer a checkpoint folder names in its <c>tokenizer.json</c>.</summary>
public static class TokenizerStore
{
    public static ITextTokenizer Load(string directory)
    {
        string path = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(path)) throw new InvalidDataException($"no tokenizer.json in {directory}");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        string kind = doc.RootElement.GetProperty("kind").GetString() ?? "";
        return kind switch
        {
            ByteTokenizer.KindName => new ByteTokenizer(),
            _ => throw new InvalidDataException($"unknown tokenizer kind '{kind}'"),
        };
    }
}
