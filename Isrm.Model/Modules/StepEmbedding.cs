namespace Isrm.Model.Modules;

/// <summary>
/// Tells the network which refinement step it is in. The whitepaper says both "the same for all steps" and
/// "behave differently at different depths", so both are options: none, stateless (one learned vector), sinusoidal(k).
/// </summary>
public sealed class StepEmbedding : nn.Module
{
    private readonly Parameter? stateless;
    private readonly StepEmbeddingKind _mode;
    private readonly int _width;

    public StepEmbedding(IsrmConfig config) : base(nameof(StepEmbedding))
    {
        _mode = config.IsSinglePass ? StepEmbeddingKind.None : config.StepEmbedding;
        _width = config.Width;
        if (_mode == StepEmbeddingKind.Stateless) stateless = new Parameter(randn(config.Width).Times(0.02f));
        RegisterComponents();
    }

    /// <summary>(D) vector for step k ≥ 1, or null when steps are not embedded.</summary>
    public Tensor? Forward(int k, Device device) => _mode switch
    {
        StepEmbeddingKind.None => null,
        StepEmbeddingKind.Stateless => stateless!.alias(),
        _ => Sinusoid(k, _width, device),
    };

    private static Tensor Sinusoid(int k, int width, Device device)
    {
        using var scope = NewDisposeScope();
        int half = width / 2;
        Tensor freqs = HeldScalars.Power(10000f, HeldScalars.Range(0, half, float32, device).neg_().DividedBy(half));
        Tensor angle = freqs.Times(k);
        return cat(new[] { angle.sin(), angle.cos() }).MoveToOuterDisposeScope();
    }
}
