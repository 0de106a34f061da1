namespace Isrm.Model.Generation;

/// <summary>What a user's prompt may hold: valid Unicode text with no control characters but tab and line breaks.</summary>
public static class PromptText
{
    /// <summary>The sentence saying what is wrong with <paramref name="prompt"/>'s characters, or null when they are fine.</summary>
    public static string? Problem(string prompt)
    {
        for (int i = 0; i < prompt.Length; i++)
        {
            char c = prompt[i];
            if (char.IsHighSurrogate(c) && i + 1 < prompt.Length && char.IsLowSurrogate(prompt[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
                return $"The prompt is not valid Unicode text: its character {i} is an unpaired surrogate U+{(int)c:X4}; send UTF-8 text.";
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                return $"The prompt's character {i} is the control character U+{(int)c:X4}: only tab, newline and carriage return are allowed.";
        }
        return null;
    }
}
