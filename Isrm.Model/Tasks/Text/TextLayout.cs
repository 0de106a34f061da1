namespace Isrm.Model.Tasks.Text;

/// <summary>
/// Digit significance and prompt length of a byte-token text — the one function training, evaluation and generation
/// share. A digit in a run of digits of the prompt gets its distance from the right end of its run (units = 0); the
/// prompt's '=' gets n + 1 and answer digit j (0-based) gets n − j, n = the longest digit run of the prompt, so '=' and
/// the answer form one descending run; every other token gets 0. Only differences matter to rotary attention, so any
/// length works. The answer's values need only the prompt and the answer digits so far: cached decoding can use them.
/// </summary>
public static class TextLayout
{
    private const int EqualsSign = '=';

    private static bool IsDigit(int token) => token is >= '0' and <= '9';

    /// <summary>Tokens up to and including the first '=' (0 when there is none: no prompt, everything causal).</summary>
    public static int PromptLength(IReadOnlyList<int> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
            if (tokens[i] == EqualsSign) return i + 1;
        return 0;
    }

    /// <summary>The significance of every token (see the type's summary).</summary>
    public static int[] Significance(IReadOnlyList<int> tokens)
    {
        var significance = new int[tokens.Count];
        int prompt = PromptLength(tokens);
        int promptEnd = prompt == 0 ? tokens.Count : prompt - 1;   // digits before '=' (or all, with no '=')
        int longest = 0;
        for (int i = 0; i < promptEnd;)
        {
            if (!IsDigit(tokens[i])) { i++; continue; }
            int end = i;
            while (end + 1 < promptEnd && IsDigit(tokens[end + 1])) end++;
            for (int j = i; j <= end; j++) significance[j] = end - j;
            longest = Math.Max(longest, end - i + 1);
            i = end + 1;
        }
        if (prompt == 0) return significance;
        significance[prompt - 1] = longest + 1;
        for (int j = 0; prompt + j < tokens.Count && IsDigit(tokens[prompt + j]); j++)
            significance[prompt + j] = Math.Max(0, longest - j);
        return significance;
    }

    /// <summary>Significance of the text's bytes (for tests and display).</summary>
    public static int[] Significance(string text) => Significance(text.Select(c => (int)c).ToArray());

    /// <summary>True when the config reads a layout (significance positions or bidirectional prompts).</summary>
    public static bool Needed(IsrmConfig config) =>
        config.Positions != PositionKind.Rope || config.PromptAttention != PromptAttentionKind.Causal || config.SignificanceWindow > 0;

    /// <summary>
    /// The layout of positions offset … offset+length−1 of each row (each row's whole token list, so prompt runs are
    /// complete), or null when the config needs none.
    /// </summary>
    public static TokenLayout? For(IsrmConfig config, IReadOnlyList<IReadOnlyList<int>> rows, int offset, int length, Device device)
    {
        if (!Needed(config)) return null;
        Tensor? significance = null, prompt = null, all = null;
        if (config.Positions != PositionKind.Rope)
        {
            var values = new long[rows.Count * length];
            for (int b = 0; b < rows.Count; b++)
            {
                int[] row = Significance(rows[b]);
                for (int t = 0; t < length && offset + t < row.Length; t++) values[b * length + t] = row[offset + t];
            }
            significance = tensor(values, new long[] { rows.Count, length }, device: device);
        }
        if (config.PromptAttention == PromptAttentionKind.Bidirectional)
            prompt = tensor(rows.Select(r => (long)PromptLength(r)).ToArray(), new long[] { rows.Count }, device: device);
        if (config.SignificanceWindow > 0)
        {
            int span = offset + length;   // every position up to this call's last: the keys a cached call reads
            var values = new long[rows.Count * span];
            for (int b = 0; b < rows.Count; b++)
            {
                int[] row = Significance(rows[b]);
                for (int t = 0; t < span && t < row.Length; t++) values[b * span + t] = row[t];
            }
            all = tensor(values, new long[] { rows.Count, span }, device: device);
        }
        return new TokenLayout(significance, prompt, all);
    }
}
