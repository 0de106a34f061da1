namespace Isrm.Web.Refinement;

/// <summary>
/// JSON for frames. System.Text.Json writes the <c>kind</c> discriminator only when a frame is serialized as
/// <see cref="RefinementFrame"/> (not as its concrete record, nor as <c>object</c>): serialize frames through the
/// base type, as <see cref="Serialize"/> does.
/// </summary>
public static class FrameJson
{
    /// <summary>Web defaults (camelCase): what the hub uses too.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>One frame as JSON, its <c>kind</c> first.</summary>
    public static string Serialize(RefinementFrame frame, JsonSerializerOptions? options = null) =>
        JsonSerializer.Serialize(frame, options ?? Options);
}
