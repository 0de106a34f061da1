namespace Isrm.Web.State;

/// <summary>How a token's text is shown (whitespace made visible) and how it is named for a screen reader.</summary>
public static class TokenText
{
    /// <summary>Makes whitespace and control bytes visible in a token label (space → ·, newline → ↵, others → \xNN).</summary>
    public static string Visible(string token)
    {
        var text = new System.Text.StringBuilder(token.Length);
        foreach (char c in token)
            text.Append(c switch
            {
                ' ' => "·",
                '\n' => "↵",
                '\t' => "→",
                '\uFFFD' => "�",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ => c.ToString(),
            });
        return text.Length == 0 ? "∅" : text.ToString();
    }

    /// <summary>The token as words: "space", "newline", "space then the" — never a bare symbol.</summary>
    public static string Spoken(string token)
    {
        if (token.Length == 0) return "empty token";
        var parts = new List<string>();
        var word = new System.Text.StringBuilder();
        foreach (char c in token)
        {
            string? named = c switch
            {
                ' ' => "space", '\n' => "newline", '\t' => "tab", '\r' => "carriage return", '\uFFFD' => "incomplete character",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"control character {(int)c:X2}"),
                _ when char.IsPunctuation(c) || char.IsSymbol(c) => $"“{c}”",
                _ => null,
            };
            if (named is null) { word.Append(c); continue; }
            if (word.Length > 0) { parts.Add(word.ToString()); word.Clear(); }
            parts.Add(named);
        }
        if (word.Length > 0) parts.Add(word.ToString());
        return string.Join(" then ", parts);
    }
}
