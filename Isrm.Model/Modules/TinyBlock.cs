namespace Isrm.Model.Modules;

/// <summary>
/// Pre-norm block: attention then SwiGLU, each sub-layer's output modulated by (1 + step_scale(step embedding)); with
/// <see cref="IsrmConfig.SandwichNorm"/> each residual sum is normalised too (Huginn's sandwich).
/// </summary>
public sealed class TinyBlock : nn.Module
{
    private readonly RmsNorm attention_norm, ffn_norm;
    private readonly GroupedQueryAttention attention;
    private readonly SwiGlu feed_forward;
    private readonly Linear? step_scale_attn, step_scale_ffn;
    private readonly RmsNorm? attention_out_norm, ffn_out_norm;

    public TinyBlock(IsrmConfig config) : base(nameof(TinyBlock))
    {
        attention_norm = new RmsNorm(config.Width, config.NormEpsilon);
        ffn_norm = new RmsNorm(config.Width, config.NormEpsilon);
        attention = new GroupedQueryAttention(config);
        feed_forward = new SwiGlu(config.Width, config.FfnWidth);
        bool stepAware = config.StepEmbedding != StepEmbeddingKind.None && !config.IsSinglePass;
        if (stepAware && config.StepScaleAttn) step_scale_attn = ZeroLinear(config.Width);
        if (stepAware && config.StepScaleFfn) step_scale_ffn = ZeroLinear(config.Width);
        if (config.SandwichNorm)
        {
            attention_out_norm = new RmsNorm(config.Width, config.NormEpsilon);
            ffn_out_norm = new RmsNorm(config.Width, config.NormEpsilon);
        }
        RegisterComponents();
    }

    // Zero-initialised so that every step starts as the same network; training learns how steps differ.
    private static Linear ZeroLinear(int width)
    {
        Linear linear = nn.Linear(width, width);
        using (no_grad())
        {
            linear.weight!.zero_();
            linear.bias!.zero_();
        }
        return linear;
    }

    /// <summary>Joins the q|k|v and gate|up matrices for inference (see <see cref="JoinedWeights"/>).</summary>
    public void JoinForInference()
    {
        attention.JoinForInference();
        feed_forward.JoinForInference();
    }

    /// <summary>
    /// h: (B, T, D); step: (D) embedding of the refinement step or null; rope: tables of this call's positions;
    /// significance and mask: see <see cref="GroupedQueryAttention.Forward"/>; <paramref name="rows"/>: one new position
    /// per row, each row its own request (<see cref="GroupedQueryAttention.ForwardRows"/>), instead of cache and offset.
    /// </summary>
    public Tensor Forward(Tensor h, Tensor? step, (Tensor Cos, Tensor Sin) rope, KvBuffer? cache, int offset,
        (Tensor Cos, Tensor Sin)? significance = null, Tensor? mask = null, KvRows? rows = null)
    {
        using var scope = NewDisposeScope();
        bool inPlace = !is_grad_enabled();   // inference: add into the sub-layer's own output, one tensor fewer each
        Tensor normed = attention_norm.forward(h);
        Tensor attended = rows is null
            ? attention.Forward(normed, rope, cache, offset, significance, mask)
            : attention.ForwardRows(normed, rope, rows);
        if (step is not null && step_scale_attn is not null) attended = attended * step_scale_attn.forward(step).Plus(1.0);
        h = inPlace ? attended.PlusInPlace(h) : h.Plus(attended);
        if (attention_out_norm is not null) h = attention_out_norm.forward(h);
        Tensor fed = feed_forward.forward(ffn_norm.forward(h));
        if (step is not null && step_scale_ffn is not null) fed = fed * step_scale_ffn.forward(step).Plus(1.0);
        h = inPlace ? fed.PlusInPlace(h) : h.Plus(fed);
        if (ffn_out_norm is not null) h = ffn_out_norm.forward(h);
        return h.MoveToOuterDisposeScope();
    }
}
