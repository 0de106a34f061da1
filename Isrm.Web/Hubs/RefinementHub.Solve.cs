using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Isrm.Web.Puzzles;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;

namespace Isrm.Web.Hubs;

/// <summary>The puzzle methods of the hub: a thin adapter over <see cref="PuzzleService"/> (which the Puzzles page uses in process).</summary>
public sealed partial class RefinementHub
{
    /// <summary>Every puzzle checkpoint folder; an unusable one says why.</summary>
    public IReadOnlyList<PuzzleCheckpointListing> ListPuzzleCheckpoints([FromServices] PuzzleService puzzles) => puzzles.ListCheckpoints();

    /// <summary>
    /// Streams a solve: <c>puzzle</c>, <c>puzzle-step</c> frames, <c>puzzle-done</c>. A refused or failed request is a
    /// <see cref="HubException"/> with one sentence; cancelling the stream stops the model before its next step.
    /// </summary>
    public async IAsyncEnumerable<WireSolveFrame> Solve(
        SolveRequest request, [FromServices] PuzzleService puzzles, [EnumeratorCancellation] CancellationToken cancellation)
    {
        await foreach (SolveFrame frame in puzzles.Solve(request, cancellation))
        {
            if (frame is PuzzleErrorFrame error) throw new HubException(error.Message);
            yield return new WireSolveFrame(frame);
        }
    }
}

/// <summary>
/// A solve frame as SignalR sends it: SignalR serializes stream items as <c>object</c>, which would drop the
/// <c>kind</c>; this wrapper writes the frame through <see cref="SolveFrame"/>, discriminator first.
/// </summary>
[JsonConverter(typeof(WireSolveFrameConverter))]
public readonly record struct WireSolveFrame(SolveFrame Frame);

/// <summary>Writes <see cref="WireSolveFrame.Frame"/> as a <see cref="SolveFrame"/>; reads one back.</summary>
public sealed class WireSolveFrameConverter : JsonConverter<WireSolveFrame>
{
    public override WireSolveFrame Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(JsonSerializer.Deserialize<SolveFrame>(ref reader, options) ?? throw new JsonException("A frame cannot be null."));

    public override void Write(Utf8JsonWriter writer, WireSolveFrame value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.Frame, options);
}
