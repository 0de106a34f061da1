namespace Isrm.Tests.Web;

/// <summary>Hand-made frames for view-state tests.</summary>
internal static class Frames
{
    public static StepFrame Step(int token, int step, string top = "a", double prob = 0.5, float[]? state = null) =>
        new(token, step, [new TopToken(top, prob), new TopToken("z", (1 - prob) / 2)], prob, 1.0 / step, 0.5 / step, 0.4, null, 0.1, 0, step, state);

    /// <summary>A run that writes <paramref name="text"/>, one character per token, each after <paramref name="k"/> steps.</summary>
    public static IEnumerable<RefinementFrame> Text(string text, int k)
    {
        for (int t = 0; t < text.Length; t++)
        {
            for (int s = 1; s <= k; s++) yield return Step(t, s, text[t].ToString(), 0.9);
            yield return new TokenFrame(t, text[t].ToString(), k);
        }
        yield return new DoneFrame(text.Length, 12, StopReason.StopText);
    }

    /// <summary>A whole run: <paramref name="k"/> steps per token, tokens "a", "b", …</summary>
    public static IEnumerable<RefinementFrame> Run(int tokens, int k)
    {
        for (int t = 0; t < tokens; t++)
        {
            for (int s = 1; s <= k; s++) yield return Step(t, s, ((char)('a' + t)).ToString(), 0.2 + 0.7 * s / k);
            yield return new TokenFrame(t, ((char)('a' + t)).ToString(), k);
        }
        yield return new DoneFrame(tokens, 12, StopReason.MaxTokens);
    }
}
