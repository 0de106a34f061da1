using System.Globalization;

namespace Isrm.Cli.Commands;

/// <summary>Reads the user's K: a whole number ≥ 1, or <c>inf</c> for K = ∞ (refine until the KL tolerance or the cap).</summary>
internal static class RefinementDepth
{
    /// <summary>Returns K, or null for ∞; throws <see cref="ArgumentException"/> with one sentence saying what to pass.</summary>
    public static int? Parse(string? text, string option = "--loops")
    {
        string value = (text ?? "").Trim();
        if (value.ToLowerInvariant() is "inf" or "infinity" or "∞") return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1) return k;
        throw new ArgumentException($"{option} must be a whole number of at least 1 or 'inf' (got '{text}').");
    }

    /// <summary>A comma-separated list of K values, e.g. <c>1,8,32</c>.</summary>
    public static int[] ParseList(string text, string option)
    {
        int[] values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => Parse(part, option) ?? throw new ArgumentException($"{option} takes finite K values such as 1,8,32 (got 'inf')."))
            .ToArray();
        if (values.Length == 0) throw new ArgumentException($"{option} needs at least one K, such as 1,8,32.");
        return values;
    }

    public static string Show(int? loops) => loops?.ToString(CultureInfo.InvariantCulture) ?? "∞";
}
