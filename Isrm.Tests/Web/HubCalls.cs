namespace Isrm.Tests.Web;

/// <summary>The two things hub tests do with a connection: stream a whole generation, or get the sentence it is refused with.</summary>
internal static class HubCalls
{
    /// <summary>Every frame of one <c>Generate</c> stream, as the JSON the client received.</summary>
    public static async Task<List<JsonElement>> CollectAsync(this HubConnection hub, RefinementRequest request)
    {
        var frames = new List<JsonElement>();
        await foreach (JsonElement frame in hub.StreamAsync<JsonElement>("Generate", request)) frames.Add(frame);
        return frames;
    }

    /// <summary>The sentence a refused <c>Generate</c> fails with, without SignalR's prefix.</summary>
    public static async Task<string> ErrorOfAsync(this HubConnection hub, RefinementRequest request)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => hub.CollectAsync(request));
        return WireJson.Sentence(error.Message);
    }
}
