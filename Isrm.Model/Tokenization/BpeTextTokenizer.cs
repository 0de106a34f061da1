using Microsoft.ML.Tokenizers;

namespace Isrm.Model.Tokenization;

/// <summary>Byte-level BPE (GPT-2 format files) encoded by Microsoft.ML.Tokenizers; lossless on any string, lone surrogates becoming U+FFFD as in UTF-8.</summary>
public sealed class BpeTextTokenizer : ITextTokenizer
{
    public const string KindName = "bpe";

    private readonly BpeTokenizer _bpe;
    private readonly byte[][] _tokenBytes;
    private readonly string _vocabJson;
    private readonly string _mergesText;

    private BpeTextTokenizer(BpeTokenizer bpe, byte[][] tokenBytes, string vocabJson, string mergesText)
    {
        _bpe = bpe;
        _tokenBytes = tokenBytes;
        _vocabJson = vocabJson;
        _mergesText = mergesText;
    }

    public string Kind => KindName;
    public int VocabSize => _tokenBytes.Length;

    /// <summary>Reads <c>vocab.json</c> and <c>merges.txt</c> from <paramref name="directory"/> with Microsoft.ML.Tokenizers' own loader.</summary>
    public static BpeTextTokenizer Load(string directory)
    {
        string vocabPath = Path.Combine(directory, BpeVocabulary.VocabFile);
        string mergesPath = Path.Combine(directory, BpeVocabulary.MergesFile);
        if (!File.Exists(vocabPath) || !File.Exists(mergesPath))
            throw new TokenizerException($"{Path.GetFullPath(directory)} lacks {BpeVocabulary.VocabFile} or {BpeVocabulary.MergesFile}; train one with 'isrm data tokenizer'.");
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocabPath, mergesPath)
            {
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(ByteLevel.PreTokenPattern(), null),
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or System.Text.Json.JsonException or IOException)
        {
            throw new TokenizerException($"The BPE files in {Path.GetFullPath(directory)} are unreadable ({e.Message.TrimEnd('.')}); train the tokenizer again.", e);
        }
        return new BpeTextTokenizer(bpe, TokenBytes(bpe, directory), File.ReadAllText(vocabPath), File.ReadAllText(mergesPath));
    }

    /// <summary>Writes a freshly trained vocabulary (plus <c>tokenizer.json</c>) into <paramref name="directory"/> and loads it back through the library's file loader.</summary>
    public static BpeTextTokenizer Create(BpeVocabulary vocabulary, string directory)
    {
        vocabulary.Save(directory);
        BpeTextTokenizer tokenizer = Load(directory);
        tokenizer.Save(directory);
        return tokenizer;
    }

    public int[] Encode(string text) => [.. _bpe.EncodeToIds(ByteLevel.ReplaceLoneSurrogates(text))];

    // Decoded from our own byte table rather than BpeTokenizer.Decode, so any id sequence (also a model's partial
    // UTF-8) turns into text exactly as ByteTokenizer would turn the same bytes.
    public string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        foreach (int id in ids) bytes.AddRange(BytesOf(id));
        return Encoding.UTF8.GetString([.. bytes]);
    }

    public string TokenText(int id) => ByteLevel.Readable(BytesOf(id));

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, BpeVocabulary.VocabFile), _vocabJson);
        File.WriteAllText(Path.Combine(directory, BpeVocabulary.MergesFile), _mergesText);
        File.WriteAllText(Path.Combine(directory, TokenizerStore.FileName), "{\"kind\":\"bpe\"}\n");
    }

    private byte[] BytesOf(int id) =>
        id >= 0 && id < _tokenBytes.Length ? _tokenBytes[id] : throw new ArgumentOutOfRangeException(nameof(id), id, $"Token ids run from 0 to {_tokenBytes.Length - 1}.");

    private static byte[][] TokenBytes(BpeTokenizer bpe, string directory)
    {
        int size = bpe.Vocabulary.Values.Max() + 1;
        var table = new byte[size][];
        foreach ((string token, int id) in bpe.Vocabulary)
            table[id] = ByteLevel.FromTokenString(token)
                ?? throw new TokenizerException($"The vocabulary in {Path.GetFullPath(directory)} holds '{token}', which is not a byte-level token; use a file written by 'isrm data tokenizer'.");
        if (Array.FindIndex(table, t => t is null) is var gap and >= 0)
            throw new TokenizerException($"The vocabulary in {Path.GetFullPath(directory)} has no token with id {gap}; use a file written by 'isrm data tokenizer'.");
        return table;
    }
}
