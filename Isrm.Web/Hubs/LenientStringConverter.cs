using System.Buffers;

namespace Isrm.Web.Hubs;

/// <summary>
/// Reads hub strings that are not valid Unicode (invalid UTF-8 bytes, unpaired <c>\uD800</c> escapes) instead of failing
/// the invocation's argument binding with SignalR's generic message: an unpaired escape is kept as that surrogate and
/// each invalid byte <c>b</c> becomes the unpaired surrogate U+DC00 + b (Python's "surrogateescape"), so that
/// <see cref="RequestValidator"/> refuses the text with its own sentence. Valid strings take the normal path.
/// </summary>
public sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) return reader.GetString();   // null, or the built-in error for a non-string
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return Decode(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>JSON string content (escapes already checked by the reader) to UTF-16, keeping what is invalid as lone surrogates.</summary>
    private static string Decode(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        int i = 0;
        while (i < raw.Length)
        {
            if (raw[i] == (byte)'\\')
            {
                char escaped = (char)raw[i + 1];
                if (escaped == 'u')
                {
                    text.Append((char)int.Parse(Encoding.ASCII.GetString(raw.Slice(i + 2, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 6;
                    continue;
                }
                text.Append(escaped switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => escaped });
                i += 2;
                continue;
            }
            if (Rune.DecodeFromUtf8(raw[i..], out Rune rune, out int consumed) == OperationStatus.Done)
            {
                text.Append(rune.ToString());
                i += consumed;
            }
            else
            {
                text.Append((char)(0xDC00 + raw[i]));
                i++;
            }
        }
        return text.ToString();
    }
}
