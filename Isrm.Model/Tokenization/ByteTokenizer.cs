namespace Isrm.Model.Tokenization;

/// <summary>One token per UTF-8 byte (vocabulary 256): trivially lossless, no training needed.</summary>
public sealed class ByteTokenizer : ITextTokenizer
{
    public const string KindName = "bytes";

    public string Kind => KindName;
    public int VocabSize => 256;

    public int[] Encode(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    public string Decode(IReadOnlyList<int> ids) => Encoding.UTF8.GetString(ids.Select(i => (byte)i).ToArray());

    public string TokenText(int id) => id switch
    {
        < 0 or > 255 => throw new ArgumentOutOfRangeException(nameof(id)),
        '\n' => "\\n",
        '\t' => "\\t",
        < 32 or >= 127 => $"\\x{id:X2}",
        _ => ((char)id).ToString(),
    };

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), "{\"kind\":\"bytes\"}\n");
}
