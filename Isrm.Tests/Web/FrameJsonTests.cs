namespace Isrm.Tests.Web;

/// <summary>Frames as JSON: the <c>kind</c> discriminator is written whatever type the serializer is handed, and read back.</summary>
public sealed class FrameJsonTests
{
    private static readonly JsonSerializerOptions Wire = Configure();

    private static JsonSerializerOptions Configure()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        WireJson.Configure(options);
        return options;
    }

    public static TheoryData<RefinementFrame, string> EveryKind => new()
    {
        { new StartedFrame(new string('0', 32), "tiny"), "started" },
        { new QueuedFrame(2), "queued" },
        { Frames.Step(0, 1), "step" },
        { new TokenFrame(0, "a", 3), "token" },
        { new DoneFrame(1, 2.5, StopReason.ContextFull), "done" },
        { new ErrorFrame("The prompt is empty: type some text to continue."), "error" },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Every_frame_carries_its_kind_first_as_a_frame_and_on_the_wire(RefinementFrame frame, string kind)
    {
        foreach (string json in new[]
                 {
                     FrameJson.Serialize(frame, Wire),
                     JsonSerializer.Serialize<object>(new WireFrame(frame), Wire),   // as SignalR writes a stream item
                 })
        {
            Assert.StartsWith($"{{\"kind\":\"{kind}\"", json);
            Assert.Equal(frame.GetType(), JsonSerializer.Deserialize<RefinementFrame>(json, Wire)!.GetType());
        }
    }

    [Fact]
    public void Stop_reasons_are_written_as_the_kebab_case_names_the_docs_list()
    {
        string[] names = Enum.GetValues<StopReason>()
            .Select(r => JsonDocument.Parse(JsonSerializer.Serialize(new DoneFrame(0, 0, r), Wire)).RootElement.GetProperty("stopReason").GetString()!)
            .ToArray();

        Assert.Equal(["max-tokens", "context-full", "stop-text", "cancelled", "error"], names);
    }
}
