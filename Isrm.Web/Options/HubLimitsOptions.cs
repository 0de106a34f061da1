namespace Isrm.Web.Options;

/// <summary>Limits on the SignalR hub's clients (section <c>Isrm:Hub</c>).</summary>
public sealed class HubLimitsOptions
{
    public const string Section = "Isrm:Hub";

    /// <summary>Largest message a client may send; SignalR closes the connection of a client that sends more.</summary>
    public long MaxMessageBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Hub invocations (Generate, ListCheckpoints) one connection may make per minute; 0 = no limit.</summary>
    public int RequestsPerMinute { get; set; } = 60;
}
