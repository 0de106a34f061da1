using Isrm.Model.Generation;

namespace Isrm.Web.Hubs;

/// <summary>Model events → wire frames (non-finite numbers become null, which JSON can carry).</summary>
public static class FrameMapper
{
    public static RefinementFrame ToFrame(GenerationEvent e) => e switch
    {
        StepEvent s => new StepFrame(
            s.TokenIndex, s.Step,
            s.TopTokens.Select(t => new TopToken(t.Token, Finite(t.Prob) ?? 0)).ToList(),
            Finite(s.Confidence), Finite(s.Entropy), Finite(s.Delta), Finite(s.Residual),
            Finite(s.KlToPrevious), Finite(s.Alpha), Finite(s.HaltProbability), s.ElapsedMs,
            s.State is { } state && state.All(float.IsFinite) ? state : null),
        TokenEvent t => new TokenFrame(t.TokenIndex, t.Text, t.StepsUsed),
        DoneEvent d => new DoneFrame(d.Tokens, d.ElapsedMs, d.StopReason),
        _ => throw new InvalidOperationException($"Unknown generation event {e.GetType().Name}."),
    };

    private static double? Finite(float value) => float.IsFinite(value) ? Math.Round(value, 6) : null;
}
