using static TorchSharp.torch;

namespace Isrm.Model.Modules;

/// <summary>
/// What a text task tells attention about its tokens beyond their order, for the positions of one call (offset …
/// offset+T−1): each token's digit significance (B, T) for <see cref="Config.PositionKind.RopeSignificance"/>, and each
/// row's prompt length (B) — the tokens up to and including '=' — for bidirectional prompt attention. Null parts mean
/// "not used". Made from text by <c>Tasks.Text.TextLayout</c>; the caller owns the tensors.
/// </summary>
public sealed record TokenLayout(Tensor? Significance, Tensor? PromptLength)
{
    /// <summary>
    /// Which keys each query may read, (B, 1, T, S) bool, for queries at offset … offset+T−1 and keys at
    /// keyStart … offset+T−1: every earlier or equal position, and every prompt position when the query is in the prompt.
    /// </summary>
    public Tensor Mask(int offset, long length, int keyStart)
    {
        using var scope = NewDisposeScope();
        Device device = PromptLength!.device;
        Tensor queries = arange(offset, offset + length, dtype: int64, device: device).view(1, -1, 1);   // (1, T, 1)
        Tensor keys = arange(keyStart, offset + length, dtype: int64, device: device).view(1, 1, -1);     // (1, 1, S)
        Tensor prompt = PromptLength.view(-1, 1, 1);                                                      // (B, 1, 1)
        Tensor allowed = keys.le(queries).logical_or(queries.lt(prompt).logical_and(keys.lt(prompt)));  // (B, T, S)
        return allowed.unsqueeze(1).MoveToOuterDisposeScope();
    }
}
