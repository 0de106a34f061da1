namespace Isrm.Web.Hubs;

/// <summary>
/// A frame as SignalR sends it. SignalR serializes every stream item and argument as <c>object</c>, which would write
/// the concrete record without its <c>kind</c>; this wrapper writes (and reads) it through <see cref="RefinementFrame"/>,
/// so the wire carries exactly the frame, discriminator first.
/// </summary>
[JsonConverter(typeof(WireFrameConverter))]
public readonly record struct WireFrame(RefinementFrame Frame);

/// <summary>Writes <see cref="WireFrame.Frame"/> as a <see cref="RefinementFrame"/>; reads one back.</summary>
public sealed class WireFrameConverter : JsonConverter<WireFrame>
{
    public override WireFrame Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(JsonSerializer.Deserialize<RefinementFrame>(ref reader, options) ?? throw new JsonException("A frame cannot be null."));

    public override void Write(Utf8JsonWriter writer, WireFrame value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.Frame, options);
}
