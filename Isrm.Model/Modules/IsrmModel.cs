using Isrm.Model.Config;
using Isrm.Model.Recurrent;
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
/// network applied once (family "transformer"). The recurrent families of the RLM proposal (rlm, rlt, gated-rlt)
/// replace the network by a <see cref="RecurrentCore"/> and share the embedding, final norm and tied head, so the
/// trainer, checkpoints, evaluator and generator run every family through this one type with K = 1.
/// </summary>
public sealed class IsrmModel : nn.Module
{
    private readonly Embedding embedding;
    private readonly Parameter? y0, z0;
    private readonly StepEmbedding step_embedding;
    private readonly TinyNetwork? network;
    private readonly RecurrentCore? recurrent;
    private readonly InputInjection? answer_injection;
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
        step_embedding = new StepEmbedding(config);
        if (config.IsRecurrent) recurrent = RecurrentCore.Create(config);
        else
        {
            y0 = new Parameter(randn(d) * 0.02f);
            z0 = new Parameter(randn(d) * 0.02f);
            network = new TinyNetwork(config);
            bool concat = config.InputInjection == InjectionKind.ConcatProject;
            answer_injection = new InputInjection(d, 2, concat);
            if (config.LatentIterations > 0) latent_injection = new InputInjection(d, 3, concat);
        }
        final_norm = new RmsNorm(d, config.NormEpsilon);
        if (config.StateNorm) state_norm = new RmsNorm(d, config.NormEpsilon);
        if (!config.TiedEmbeddings) lm_head = nn.Linear(d, config.VocabSize, hasBias: false);
        if (config.HaltingHead && !config.IsSinglePass) halt_head = nn.Linear(d, 1);
        RegisterComponents();
    }

    public long ParameterCount => parameters().Sum(p => p.numel());

    public Device Device => embedding.weight!.device;

    /// <summary>The recurrent core of an rlm / rlt / gated-rlt model; null for isrm and transformer.</summary>
    public RecurrentCore? Recurrent => recurrent;

    /// <summary>tokens (B, T) → x (B, T, D).</summary>
    public Tensor Embed(Tensor tokens) => embedding.forward(tokens);

    /// <summary>y0 and z0 broadcast to (B, T, D), or random N(0, σ) states.</summary>
    public (Tensor Y, Tensor Z) InitialState(long batch, long length)
    {
        long d = Config.Width;
        if (recurrent is not null) { Tensor none = zeros(d, device: Device).expand(batch, length, d); return (none, none.alias()); }
        if (Config.InitialState == InitialStateKind.Random && !Config.IsSinglePass)
            return (randn(batch, length, d, device: Device) * Config.InitStateStd, randn(batch, length, d, device: Device) * Config.InitStateStd);
        return (y0!.expand(batch, length, d), z0!.expand(batch, length, d));
    }

    /// <summary>
    /// One refinement step k ≥ 1: LatentIterations times z ← z + α (f(x + y + z) − z), then y ← y + α (f(y + z) − y)
    /// (without latent: y ← y + α (f(x + y) − y)). <paramref name="alphaOverride"/> = 1 gives the undamped map.
    /// </summary>
    public StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride = null, RefinementCache? cache = null, int offset = 0)
    {
        if (recurrent is not null) return RecurrentStep(x, z, cache?.Recurrent, offset);
        using var scope = NewDisposeScope();
        float alpha = alphaOverride ?? AlphaSchedule.Alpha(Config, k);
        Tensor? step = step_embedding.Forward(k, Device);
        cache?.Prepare(k, offset);

        for (int j = 0; j < Config.LatentIterations; j++)
        {
            Tensor latentInput = latent_injection!.Forward(x, Normalise(y), Normalise(z));
            Tensor latentTarget = network!.Forward(latentInput, step, cache?.Buffers(k, j), offset);
            z = z + alpha * (latentTarget - z);
        }

        Tensor answerInput = Config.LatentIterations > 0
            ? answer_injection!.Forward(Normalise(y), Normalise(z))
            : answer_injection!.Forward(x, Normalise(y));
        Tensor target = network!.Forward(answerInput, step, cache?.Buffers(k, Config.LatentIterations), offset);
        if (Config.LatentIterations == 0) z = z.alias();                  // unchanged, but owned by this step's result
        Tensor residual = target - y;                                      // (B, T, D)
        Tensor next = y + alpha * residual;
        Tensor residualNorm = residual.detach().pow(2).sum(-1).sqrt();     // (B, T)
        return new StepOutput(
            next.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(), alpha,
            (residualNorm * alpha).MoveToOuterDisposeScope(), residualNorm.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The single pass of a recurrent family over x (B, T, D): y becomes the per-token read-outs. Delta and residual
    /// are both ‖o_t − o_{t−1}‖, how far the read-out moved with this token (there is no fixed point to approach).
    /// With a cache the state continues from the tokens read before (offset must equal what it has read).
    /// </summary>
    private StepOutput RecurrentStep(Tensor x, Tensor z, RecurrentState? carried, int offset)
    {
        using var scope = NewDisposeScope();
        bool continuing = carried is { IsEmpty: false } && offset > 0;
        if (continuing && carried!.Length != offset)
            throw new InvalidOperationException($"the recurrent state has read {carried.Length} tokens, not {offset}");
        Tensor[] state = continuing ? carried!.Tensors.ToArray() : recurrent!.InitialState(x.shape[0], Device);
        var (outputs, next) = recurrent!.Forward(x, state, offset);                   // (B, T, D)
        Tensor before = continuing && carried!.LastOutput is Tensor last ? last.unsqueeze(1) : zeros_like(outputs.narrow(1, 0, 1));
        Tensor previous = cat(new[] { before, outputs.narrow(1, 0, outputs.shape[1] - 1) }, 1);
        Tensor moved = (outputs - previous).detach().pow(2).sum(-1).sqrt();           // (B, T)
        carried?.Replace(next, offset + (int)x.shape[1], outputs.select(1, -1));
        return new StepOutput(outputs.MoveToOuterDisposeScope(), z.alias().MoveToOuterDisposeScope(), 1f,
            moved.MoveToOuterDisposeScope(), moved.clone().MoveToOuterDisposeScope());
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
