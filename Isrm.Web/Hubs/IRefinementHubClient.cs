namespace Isrm.Web.Hubs;

/// <summary>What the server may call on a connected hub client.</summary>
public interface IRefinementHubClient
{
    /// <summary>The caller's request waits behind <paramref name="ahead"/> others (the stream's <c>queued</c> frame, as a callback).</summary>
    Task Queued(int ahead);

    /// <summary>Sent to a <c>Generate</c> caller before its first step: the id others pass to <c>Watch</c> (the <c>started</c> frame).</summary>
    Task Started(string generationId);

    /// <summary>A frame of a generation this connection watches.</summary>
    Task WatchedFrame(string generationId, WireFrame frame);
}
