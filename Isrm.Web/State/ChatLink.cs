namespace Isrm.Web.State;

/// <summary>
/// A chat run as a link: <c>/?checkpoint=NAME&amp;prompt=TEXT&amp;k=K&amp;seed=S&amp;maxTokens=N&amp;temperature=T&amp;run=1</c>.
/// Runs are seeded, so opening the link reproduces the run; a value the page cannot take is one sentence.
/// </summary>
public static class ChatLink
{
    /// <summary>The query (with a leading '?') that reproduces a run of <paramref name="prompt"/> with these settings.</summary>
    public static string For(GenerationSettings s, string prompt, bool run)
    {
        var parts = new List<(string, string)>
        {
            ("checkpoint", s.Checkpoint ?? ""), ("prompt", prompt), ("k", s.InfiniteK ? "inf" : s.K.ToString(CultureInfo.InvariantCulture)),
            ("seed", s.Seed.ToString(CultureInfo.InvariantCulture)), ("maxTokens", s.MaxTokens.ToString(CultureInfo.InvariantCulture)),
            ("temperature", s.Temperature.ToString("R", CultureInfo.InvariantCulture)),
        };
        if (run) parts.Add(("run", "1"));
        return "?" + string.Join('&', parts.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
    }

    /// <summary>
    /// Applies the link's values to <paramref name="settings"/> and returns the prompt it carries (or null); the first
    /// value the page cannot take is returned as <paramref name="problem"/> and nothing after it is applied.
    /// </summary>
    public static string? Apply(IReadOnlyDictionary<string, string> query, GenerationSettings settings, IEnumerable<string> checkpoints,
        out bool run, out string? problem)
    {
        run = query.TryGetValue("run", out string? r) && r == "1";
        problem = null;
        if (query.TryGetValue("checkpoint", out string? name) && name.Length > 0)
        {
            if (!checkpoints.Contains(name)) { problem = $"The link names checkpoint '{name}', which this app does not list; choose one in the settings."; return null; }
            settings.Checkpoint = name;
        }
        if (query.TryGetValue("k", out string? k))
        {
            RefinementDepth depth = RefinementDepth.Parse(k);
            if (depth.Problem(settings.MaxK, "The link's k") is string p) { problem = p; return null; }
            settings.InfiniteK = depth.IsInfinite;
            if (depth.Steps is int steps) settings.K = steps;
        }
        if (query.TryGetValue("seed", out string? seed))
        {
            if (!long.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out long s)) { problem = $"The link's seed must be a whole number ≥ 0; got '{seed}'."; return null; }
            settings.Seed = s;
        }
        if (query.TryGetValue("maxTokens", out string? tokens))
        {
            if (!int.TryParse(tokens, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1) { problem = $"The link's maxTokens must be a whole number ≥ 1; got '{tokens}'."; return null; }
            settings.MaxTokens = n;
        }
        if (query.TryGetValue("temperature", out string? temperature))
        {
            if (!double.TryParse(temperature, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) || !double.IsFinite(t) || t < 0)
            { problem = $"The link's temperature must be a number ≥ 0 (0 = greedy); got '{temperature}'."; return null; }
            settings.Temperature = t;
        }
        return query.TryGetValue("prompt", out string? prompt) ? prompt : null;
    }
}
