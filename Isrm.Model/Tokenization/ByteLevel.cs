using System.Text.RegularExpressions;

namespace Isrm.Model.Tokenization;

/// <summary>GPT-2's byte-level conventions shared by the BPE trainer and tokenizer: the byte ↔ printable-char alphabet and the pre-token split.</summary>
internal static partial class ByteLevel
{
    /// <summary>GPT-2's <c>bytes_to_unicode</c>: printable bytes map to themselves, the rest to U+0100 onwards (space → 'Ġ'), so every token is a whitespace-free string.</summary>
    public static IReadOnlyList<char> CharOfByte { get; } = BuildAlphabet();

    public static IReadOnlyDictionary<char, byte> ByteOfChar { get; } =
        Enumerable.Range(0, 256).ToDictionary(b => CharOfByte[b], b => (byte)b);

    /// <summary>GPT-2's pre-token pattern; it matches every character, so no text falls between pre-tokens.</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    public static partial Regex PreTokenPattern();

    public static string ToTokenString(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = CharOfByte[bytes[i]];
        return new string(chars);
    }

    /// <summary>Null when a character is outside the 256-char alphabet (the vocabulary file is not byte-level).</summary>
    public static byte[]? FromTokenString(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            if (!ByteOfChar.TryGetValue(token[i], out bytes[i])) return null;
        }
        return bytes;
    }

    /// <summary>
    /// Replaces unpaired UTF-16 surrogates with U+FFFD, as <see cref="Encoding.UTF8"/> does. Needed because
    /// Microsoft.ML.Tokenizers 2.0.1 encodes a lone surrogate as its 3-byte WTF-8 form (ED A0 80), which then decodes
    /// to three U+FFFD; scrubbing first makes BPE agree with <see cref="ByteTokenizer"/> on every string.
    /// </summary>
    public static string ReplaceLoneSurrogates(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
        }
        return text;
    }

    /// <summary>One token's bytes as readable text: valid UTF-8 as characters, control characters and invalid fragments as escapes.</summary>
    public static string Readable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                text.Append($"\\x{bytes[0]:X2}");
                bytes = bytes[1..];
                continue;
            }
            text.Append(rune.Value switch
            {
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                < 32 or 127 => $"\\x{rune.Value:X2}",
                _ => rune.ToString(),
            });
            bytes = bytes[consumed..];
        }
        return text.ToString();
    }

    private static char[] BuildAlphabet()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
