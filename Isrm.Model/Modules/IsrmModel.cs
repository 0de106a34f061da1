using Isrm.Model.Config;
using Isrm.Model.Refinement;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Isrm.Model.Modules;

/// <summary>What one refinement step produced. Delta = ‖α_k (f − y)‖ and residual = ‖f − y‖ per position, (B, T).</summary>
public sealed record StepOutput(Tensor Y, Tensor Z, float Alpha, Tensor Delta, Tensor Residual);

/// <summary>
/// The Infinitely Scalable Recursive Model (whitepaper §3) with the fixes of DESIGN.md: the latent z is updated
/// from (x, y, z) and the answer y from (y, z), so the latent reaches the answer. A transformer is the same
/// network applied once (family "transformer").
/// </summary>
public sealed class IsrmModel : nn.Module
{
    private readonly Embedding embedding;
    private readonly Parameter y0, z0;
    private readonly StepEmbedding step_embedding;
    private readonly TinyNetwork network;
    private readonly InputInjection answer_injection;
    private readonly InputInjection? latent_injection;
    private readonly RmsNorm final_norm;
    private readonly RmsNorm? state_norm;
    private readonly Linear? lm_head;
    private readonly Linear? halt_head;

    public IsrmConfig Config { get; }

    public IsrmModel(IsrmConfig config) : base(nameof(IsrmModel))
    {
        config.Validate();
        Config = config;
        int d = config.Width;
        embedding = nn.Embedding(config.VocabSize, d);
        using (no_grad()) embedding.weight!.normal_(0, 0.02);   // nn.Embedding starts at N(0, 1): far too large for a tied head
        y0 = new Parameter(randn(d) * 0.02f);
        z0 = new Parameter(randn(d) * 0.02f);
        step_embedding = new StepEmbedding(config);
        network = new TinyNetwork(config);
        bool concat = config.InputInjection == "concat-project";
        answer_injection = new InputInjection(d, 2, concat);
        if (config.LatentIterations > 0) latent_injection = new InputInjection(d, 3, concat);
        final_norm = new RmsNorm(d, config.NormEpsilon);
        if (config.StateNorm) state_norm = new RmsNorm(d, config.NormEpsilon);
        if (!config.TiedEmbeddings) lm_head = nn.Linear(d, config.VocabSize, hasBias: false);
        if (config.HaltingHead && !config.IsTransformer) halt_head = nn.Linear(d, 1);
        RegisterComponents();
    }

    public long ParameterCount => parameters().Sum(p => p.numel());

    public Device Device => embedding.weight!.device;

    /// <summary>tokens (B, T) → x (B, T, D).</summary>
    public Tensor Embed(Tensor tokens) => embedding.forward(tokens);

    /// <summary>y0 and z0 broadcast to (B, T, D), or random N(0, σ) states.</summary>
    public (Tensor Y, Tensor Z) InitialState(long batch, long length)
    {
        long d = Config.Width;
        if (Config.InitialState == "random" && !Config.IsTransformer)
            return (randn(batch, length, d, device: Device) * Config.InitStateStd, randn(batch, length, d, device: Device) * Config.InitStateStd);
        return (y0.expand(batch, length, d), z0.expand(batch, length, d));
    }

    /// <summary>
    /// One refinement step k ≥ 1: LatentIterations times z ← z + α (f(x + y + z) − z), then y ← y + α (f(y + z) − y)
    /// (without latent: y ← y + α (f(x + y) − y)). <paramref name="alphaOverride"/> = 1 gives the undamped map.
    /// </summary>
    public StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride = null, RefinementCache? cache = null, int offset = 0)
    {
        using var scope = NewDisposeScope();
        float alpha = alphaOverride ?? AlphaSchedule.Alpha(Config, k);
        Tensor? step = step_embedding.Forward(k, Device);
        cache?.Prepare(k, offset);

        for (int j = 0; j < Config.LatentIterations; j++)
        {
            Tensor latentInput = latent_injection!.Forward(x, Normalise(y), Normalise(z));
            Tensor latentTarget = network.Forward(latentInput, step, cache?.Buffers(k, j), offset);
            z = z + alpha * (latentTarget - z);
        }

        Tensor answerInput = Config.LatentIterations > 0
            ? answer_injection.Forward(Normalise(y), Normalise(z))
            : answer_injection.Forward(x, Normalise(y));
        Tensor target = network.Forward(answerInput, step, cache?.Buffers(k, Config.LatentIterations), offset);
        if (Config.LatentIterations == 0) z = z.alias();                  // unchanged, but owned by this step's result
        Tensor residual = target - y;                                      // (B, T, D)
        Tensor next = y + alpha * residual;
        Tensor residualNorm = residual.detach().pow(2).sum(-1).sqrt();     // (B, T)
        return new StepOutput(
            next.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(), alpha,
            (residualNorm * alpha).MoveToOuterDisposeScope(), residualNorm.MoveToOuterDisposeScope());
    }

    private Tensor Normalise(Tensor state) => state_norm is null ? state : state_norm.forward(state);

    /// <summary>y (B, T, D) → logits (B, T, V) through the final norm and the (tied) head.</summary>
    public Tensor Logits(Tensor y)
    {
        using var scope = NewDisposeScope();
        Tensor normed = final_norm.forward(y);
        Tensor logits = lm_head is null ? normed.matmul(embedding.weight!.t()) : lm_head.forward(normed);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>PonderNet halting probability per position (B, T); zeros when the model has no halting head.</summary>
    public Tensor HaltProbability(Tensor y) =>
        halt_head is null ? zeros(y.shape[0], y.shape[1], device: y.device) : sigmoid(halt_head.forward(y).squeeze(-1));
}
