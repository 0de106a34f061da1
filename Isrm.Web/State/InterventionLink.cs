namespace Isrm.Web.State;

/// <summary>
/// An intervention in a link, beside the run's own settings: <c>at=TOKEN&amp;step=S&amp;change=random|seed|scale|token&amp;value=V</c>
/// (the seed of a random or another seed's state, a scale's factor, or the forced token). <c>at</c> is for text only.
/// </summary>
public static class InterventionLink
{
    /// <summary>The query parts (without '?' or a leading '&amp;') of <paramref name="change"/>.</summary>
    public static string For(InterventionRequest change, bool text)
    {
        string value = change.Change switch
        {
            InterventionChange.Scale => change.Scale.ToString("R", CultureInfo.InvariantCulture),
            InterventionChange.Token => change.Token ?? "",
            _ => change.Seed.ToString(CultureInfo.InvariantCulture),
        };
        var parts = new List<(string, string)>();
        if (text) parts.Add(("at", change.At.ToString(CultureInfo.InvariantCulture)));
        parts.Add(("step", change.Step.ToString(CultureInfo.InvariantCulture)));
        parts.Add(("change", Name(change.Change)));
        parts.Add(("value", value));
        return string.Join('&', parts.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
    }

    public static string Name(InterventionChange change) => InterventionChangeConverter.Name(change);

    /// <summary>
    /// The intervention a link carries (null when it names no <c>change</c>), or the first value the page cannot take
    /// as <paramref name="problem"/>. Whether it fits the run (its step below K, …) is the run's own check.
    /// </summary>
    public static InterventionRequest? Read(IReadOnlyDictionary<string, string> query, out string? problem)
    {
        problem = null;
        if (!query.TryGetValue("change", out string? name)) return null;
        InterventionChange? change = InterventionChangeConverter.Parse(name);
        if (change is not InterventionChange kind) { problem = $"The link's change must be random, seed, scale or token; got '{name}'."; return null; }
        string? wrong = null;
        int Whole(string key)
        {
            if (wrong is not null || !query.TryGetValue(key, out string? text)) return 0;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) return n;
            wrong = $"The link's {key} must be a whole number ≥ 0; got '{text}'.";
            return 0;
        }
        int at = Whole("at"), step = Whole("step");
        if (wrong is not null) { problem = wrong; return null; }
        query.TryGetValue("value", out string? value);
        var request = new InterventionRequest { At = at, Step = step, Change = kind };
        switch (kind)
        {
            case InterventionChange.Scale:
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)) { problem = $"The link's value must be the scale's factor, a number; got '{value}'."; return null; }
                request = request with { Scale = scale };
                break;
            case InterventionChange.Token:
                request = request with { Token = value };
                break;
            default:
                if (value is null) break;
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seed)) { problem = $"The link's value must be a seed, a whole number ≥ 0; got '{value}'."; return null; }
                request = request with { Seed = seed };
                break;
        }
        return problem is null ? request : null;
    }
}
