namespace Isrm.Model.Tokenization;

/// <summary>Text ↔ token ids. Implementations are lossless on arbitrary UTF-8 text and save themselves into a checkpoint folder.</summary>
public interface ITextTokenizer
{
    /// <summary>"bytes" or "bpe": written to the checkpoint so the right tokenizer is loaded back.</summary>
    string Kind { get; }
    int VocabSize { get; }
    int[] Encode(string text);
    string Decode(IReadOnlyList<int> ids);
    /// <summary>Readable text of one token, for per-step views (invalid UTF-8 fragments shown as escapes).</summary>
    string TokenText(int id);
    /// <summary>Writes the tokenizer's files into <paramref name="directory"/>.</summary>
    void Save(string directory);
}
