namespace Isrm.Web.Hubs;

/// <summary>The hub's JSON: what it accepts from clients and how its frames look on the wire.</summary>
public static class WireJson
{
    /// <summary>Numbers may come as strings and as NaN/Infinity literals, so that validation (not binding) rejects them.</summary>
    public const JsonNumberHandling Numbers =
        JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals;

    /// <summary>Sets the hub's payload options: numbers and strings read leniently (frames go out as <see cref="WireFrame"/>).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.NumberHandling = Numbers;
        options.Converters.Add(new LenientStringConverter());
    }

    /// <summary>
    /// The sentence of a hub error: SignalR puts "An unexpected error occurred invoking 'Generate' on the server.
    /// HubException: " (or "An error occurred on the server while streaming results. HubException: ") before it.
    /// </summary>
    public static string Sentence(string message)
    {
        int at = message.IndexOf("HubException: ", StringComparison.Ordinal);
        return at >= 0 ? message[(at + "HubException: ".Length)..] : message;
    }
}
