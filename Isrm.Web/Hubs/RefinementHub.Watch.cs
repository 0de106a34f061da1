namespace Isrm.Web.Hubs;

/// <summary>Watching another client's generation live (see <see cref="GenerationBroadcaster"/>).</summary>
public sealed partial class RefinementHub
{
    /// <summary>
    /// From now on, sends this connection every frame of generation <paramref name="generationId"/> (the id its caller
    /// got in <c>Started</c>) as <c>WatchedFrame(id, frame)</c>, on whichever instance it runs when the backplane is on.
    /// Frames sent before the call are not replayed; the last frame is a <c>done</c>.
    /// </summary>
    public Task Watch(string generationId) =>
        Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(generationId), Context.ConnectionAborted);

    /// <summary>Stops <see cref="Watch"/>; a generation not watched is fine.</summary>
    public Task Unwatch(string generationId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(generationId), Context.ConnectionAborted);

    private static string GroupOf(string generationId) => GenerationBroadcaster.IsId(generationId)
        ? GenerationBroadcaster.Group(generationId)
        : throw new HubException("That is not a generation id: it is the 32 hexadecimal digits that Started gave its caller.");
}
