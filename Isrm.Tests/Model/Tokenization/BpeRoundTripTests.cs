namespace Isrm.Tests.Model.Tokenization;

/// <summary>Encode then decode gives back any string, exactly as a UTF-8 round trip would (lone surrogates become U+FFFD).</summary>
public sealed class BpeRoundTripTests(TrainedBpe trained) : IClassFixture<TrainedBpe>
{
    private static readonly string[] Pieces =
    [
        "the", " the", " jury", "said", "'s", "'ll", " 1961", "42", ".", ",", " --", "\"", "“", "”", "—",
        " ", "  ", "\n", "\n\n", "\t", "\r", "\r\n", "\u00A0", "\u2028", "\u3000", "\u000B", "\f",
        "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "𝐀", "e\u0301", "\u0301", "a\u0308\u0304", "\u200B", "\u200D", "\uFEFF", "\uFFFD",
        "漢字", "テキスト", "Привет", "مرحبا", "नमस्ते", "\u0000", "\u007F", "\u0085", "\uE000",
        "\uD83D", "\uDE00", "\uDBFF", "\uDC00",
    ];

    private static string RandomString(Random random)
    {
        var text = new StringBuilder();
        int pieces = random.Next(0, 40);
        for (int i = 0; i < pieces; i++)
        {
            text.Append(random.Next(4) switch
            {
                0 => (char)random.Next(32, 127),
                1 => (char)random.Next(0, 0x3000),
                _ => Pieces[random.Next(Pieces.Length)],
            });
        }
        return text.ToString();
    }

    private static string AsUtf8Would(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Six_hundred_random_strings_survive_encode_then_decode()
    {
        var random = new Random(20240611);
        var bytes = new ByteTokenizer();
        for (int i = 0; i < 600; i++)
        {
            string text = RandomString(random);
            int[] ids = trained.Tokenizer.Encode(text);

            Assert.All(ids, id => Assert.InRange(id, 0, trained.Tokenizer.VocabSize - 1));
            string decoded = trained.Tokenizer.Decode(ids);
            Assert.True(AsUtf8Would(text) == decoded, $"case {i}: {Escape(text)} came back as {Escape(decoded)}");
            Assert.Equal(bytes.Decode(bytes.Encode(text)), decoded);
        }
    }

    // A plain array, not [InlineData]: xUnit passes theory data through UTF-8, which would scrub the lone surrogates first.
    private static readonly string[] EdgeStrings = ["", "   leading and trailing   ", "\n\n\t\t\r\n", "a\uD800b", "\uDC00\uD800", "😀\uD83D"];

    [Fact]
    public void Edge_strings_survive_encode_then_decode()
    {
        foreach (string text in EdgeStrings)
            Assert.Equal(AsUtf8Would(text), trained.Tokenizer.Decode(trained.Tokenizer.Encode(text)));
        Assert.Equal("a\uFFFDb", trained.Tokenizer.Decode(trained.Tokenizer.Encode("a\uD800b")));
    }

    [Fact]
    public void Partial_utf8_decodes_as_the_byte_tokenizer_decodes_it()
    {
        int[] partialEmoji = [0xF0, 0x9F, (int)'x'];
        Assert.Equal(new ByteTokenizer().Decode(partialEmoji), trained.Tokenizer.Decode(partialEmoji));
    }

    [Fact]
    public void Token_text_is_readable_with_escapes_for_control_and_partial_bytes()
    {
        int the = trained.Tokenizer.Encode(" the").Single();

        Assert.Equal(" the", trained.Tokenizer.TokenText(the));
        Assert.Equal("\\n", trained.Tokenizer.TokenText('\n'));
        Assert.Equal("\\xE2", trained.Tokenizer.TokenText(0xE2));
        Assert.Throws<ArgumentOutOfRangeException>(() => trained.Tokenizer.TokenText(TrainedBpe.VocabSize));
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}
