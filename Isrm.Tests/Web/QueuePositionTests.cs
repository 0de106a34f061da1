namespace Isrm.Tests.Web;

/// <summary>A request that waits behind another is told, over the hub, how many are ahead of it.</summary>
public sealed class QueuePositionTests
{
    [Fact]
    public async Task A_waiting_request_gets_Queued_with_the_number_ahead_then_its_frames()
    {
        using TempCheckpointsRoot folder = new TempCheckpointsRoot().WithFake("tiny");
        var backend = new FakeGenerationBackend { StepDelay = TimeSpan.FromMilliseconds(5) };
        await using var app = new IsrmWebApp(folder.Root, backend, queueCapacity: 1, maxBatch: 1);
        Uri address = app.Start();
        await using HubConnection first = await app.ConnectAsync(address);
        await using HubConnection second = await app.ConnectAsync(address);
        var queued = new List<int>();
        second.On<int>(nameof(IRefinementHubClient.Queued), ahead => { lock (queued) queued.Add(ahead); });

        using var cts = new CancellationTokenSource();
        await using var running = first.StreamAsync<JsonElement>("Generate",
            new RefinementRequest { Prompt = "hi", K = 256, MaxTokens = 4 }, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await running.MoveNextAsync());   // the first request holds the model

        Task<int> waiting = Count(second.StreamAsync<JsonElement>("Generate", new RefinementRequest { Prompt = "next", K = 2, MaxTokens = 1 }));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline) { lock (queued) if (queued.Count > 0) break; await Task.Delay(10); }
        lock (queued) Assert.Equal([1], queued);
        Assert.False(waiting.IsCompleted, "the second request waits while the first runs");

        await cts.CancelAsync();
        Assert.True(await waiting > 0, "once the first stops, the queued request runs and streams its frames");
    }

    private static async Task<int> Count(IAsyncEnumerable<JsonElement> frames)
    {
        int n = 0;
        await foreach (JsonElement _ in frames) n++;
        return n;
    }
}
