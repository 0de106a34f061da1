namespace Isrm.Tests.Web;

/// <summary>
/// The same request sent twice through the hub gives the same frames, on a model whose initial state is random:
/// the start is drawn from the request's seed. Only the public contract is used (hub method, JSON request and frames).
/// </summary>
public sealed class ReproducibleRequestTests() : HubHost(TinyRandomStart())
{
    // a tiny model whose initial state is random noise, so that only the request's seed makes runs repeat
    private static TempCheckpointsRoot TinyRandomStart()
    {
        var folder = new TempCheckpointsRoot();
        TinyModels.SaveCheckpoint(Path.Combine(folder.Root, "tiny"), TinyModels.Config() with { MaxContext = 128, InitialState = InitialStateKind.Random, InitStateStd = 1f });
        return folder;
    }

    [Fact]
    public async Task The_same_request_twice_gives_the_same_frames_and_another_seed_does_not()
    {
        var request = new { prompt = "The cat", k = 3, maxTokens = 5, temperature = 1.0, seed = 21 };
        string[] first = await Frames(request), second = await Frames(request);
        string[] otherSeed = await Frames(request with { seed = 22 });

        Assert.Equal(1 + 5 * (3 + 1) + 1, first.Length);   // started, 3 steps + a token per token, done
        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
    }

    // Each frame's JSON without its wall-clock field and the started frame's generation id, the only things that
    // may differ between two runs.
    private async Task<string[]> Frames(object request)
    {
        var frames = new List<string>();
        await foreach (JsonElement frame in Hub.StreamAsync<JsonElement>("Generate", request))
        {
            JsonObject json = JsonNode.Parse(frame.GetRawText())!.AsObject();
            json.Remove("elapsedMs");
            json.Remove("generationId");
            frames.Add(json.ToJsonString());
        }
        return frames.ToArray();
    }
}
