namespace Isrm.Model.Tokenization;

/// <summary>Loads the tokenizer a folder's <c>tokenizer.json</c> names ({"kind":"bytes"} or {"kind":"bpe"}).</summary>
public static class TokenizerStore
{
    public const string FileName = "tokenizer.json";

    /// <summary>The kind a folder's <c>tokenizer.json</c> names ("bytes", "bpe"), or null when it has none readable.</summary>
    public static string? KindOf(string directory)
    {
        try
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, FileName)));
            return json.RootElement.GetProperty("kind").GetString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    public static ITextTokenizer Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new TokenizerException($"{Path.GetFullPath(path)} is missing; point at a checkpoint or tokenizer folder, or train one with 'isrm data tokenizer'.");
        string? kind;
        try
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
            kind = json.RootElement.GetProperty("kind").GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new TokenizerException($"{Path.GetFullPath(path)} has no readable \"kind\"; it should read {{\"kind\":\"bpe\"}} or {{\"kind\":\"bytes\"}}.", e);
        }
        return kind switch
        {
            ByteTokenizer.KindName => new ByteTokenizer(),
            BpeTextTokenizer.KindName => BpeTextTokenizer.Load(directory),
            _ => throw new TokenizerException($"{Path.GetFullPath(path)} names the tokenizer kind '{kind}', which this version does not know; use \"bpe\" or \"bytes\"."),
        };
    }
}
