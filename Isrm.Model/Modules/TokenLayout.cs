namespace Isrm.Model.Modules;

/// <summary>
/// What a text task tells attention about its tokens beyond their order, for the positions of one call (offset …
/// offset+T−1): each token's digit significance (B, T) for <see cref="Config.PositionKind.RopeSignificance"/>, and each
/// row's prompt length (B) — the tokens up to and including '=' — for bidirectional prompt attention, and the
/// significance of every position 0 … offset+T−1 (B, offset+T) for a significance window. Null parts mean "not used".
/// Made from text by <c>Tasks.Text.TextLayout</c>; the caller owns the tensors.
/// </summary>
public sealed record TokenLayout(Tensor? Significance, Tensor? PromptLength, Tensor? AllSignificance = null)
{
    /// <summary>
    /// Which keys each query may read, (B, 1, T, S) bool, for queries at offset … offset+T−1 and keys at
    /// keyStart … offset+T−1: every earlier or equal position, every prompt position when the query is in the prompt
    /// (with <see cref="PromptLength"/>), and of those only keys whose significance is within <paramref name="window"/>
    /// of the query's (window > 0, with <see cref="AllSignificance"/>).
    /// </summary>
    public Tensor Mask(int offset, long length, int keyStart, int window = 0)
    {
        using var scope = NewDisposeScope();
        Device device = (PromptLength ?? AllSignificance)!.device;
        Tensor queries = HeldScalars.Range(offset, offset + length, int64, device).view(1, -1, 1);   // (1, T, 1)
        Tensor keys = HeldScalars.Range(keyStart, offset + length, int64, device).view(1, 1, -1);     // (1, 1, S)
        Tensor allowed = keys.le(queries);                                                                // (1, T, S)
        if (PromptLength is not null)
        {
            Tensor prompt = PromptLength.view(-1, 1, 1);                                                  // (B, 1, 1)
            allowed = allowed.logical_or(queries.lt(prompt).logical_and(keys.lt(prompt)));              // (B, T, S)
        }
        if (window > 0)
        {
            Tensor querySignificance = AllSignificance!.narrow(1, offset, length).unsqueeze(2);          // (B, T, 1)
            Tensor keySignificance = AllSignificance.narrow(1, keyStart, offset + length - keyStart).unsqueeze(1);   // (B, 1, S)
            allowed = allowed.logical_and((querySignificance - keySignificance).abs().NotAbove(window));       // (B, T, S)
        }
        return allowed.unsqueeze(1).MoveToOuterDisposeScope();
    }
}
