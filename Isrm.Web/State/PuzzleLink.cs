using System.IO.Compression;

namespace Isrm.Web.State;

/// <summary>
/// A puzzle run as a link: <c>/puzzles?task=mazes&amp;checkpoint=NAME&amp;size=N&amp;seed=S&amp;generator=G&amp;k=K|inf&amp;run=1</c>;
/// a pasted or edited instance travels instead as <c>text=</c>, deflated and base64url-encoded.
/// </summary>
public static class PuzzleLink
{
    /// <summary>The instance text, deflated and base64url-encoded (short enough for a link even for a 33×33 maze).</summary>
    public static string Pack(string text)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            deflate.Write(Encoding.UTF8.GetBytes(text));
        return Convert.ToBase64String(buffer.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The text <see cref="Pack"/> made, or null when <paramref name="packed"/> is not such a text (or unpacks past <paramref name="maxChars"/>).</summary>
    public static string? Unpack(string packed, int maxChars)
    {
        try
        {
            string base64 = packed.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - base64.Length % 4) % 4);
            using var deflate = new DeflateStream(new MemoryStream(Convert.FromBase64String(base64)), CompressionMode.Decompress);
            using var reader = new StreamReader(deflate, Encoding.UTF8);
            var text = new char[maxChars + 1];
            int read = reader.ReadBlock(text, 0, text.Length);
            return read > maxChars ? null : new string(text, 0, read);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or DecoderFallbackException) { return null; }
    }

    /// <summary>The query (with '?') of a run: a generated instance by its seed, any other by its packed text.</summary>
    public static string For(string task, string? checkpoint, int size, int? seed, string generator, string? text, bool infinite, int k, bool run)
    {
        var parts = new List<(string, string)> { ("task", task), ("checkpoint", checkpoint ?? "") };
        if (seed is int s) parts.AddRange([("size", size.ToString(CultureInfo.InvariantCulture)), ("seed", s.ToString(CultureInfo.InvariantCulture)), ("generator", generator)]);
        else parts.Add(("text", Pack(text ?? "")));
        parts.Add(("k", infinite ? "inf" : k.ToString(CultureInfo.InvariantCulture)));
        if (run) parts.Add(("run", "1"));
        return "?" + string.Join('&', parts.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
    }
}
