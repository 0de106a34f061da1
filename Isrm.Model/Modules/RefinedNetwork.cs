namespace Isrm.Model.Modules;

/// <summary>
/// The ISRM step (whitepaper §3 with the fixes measured in reports/scaling.md): the latent z is updated from (x, y, z) and the answer y
/// from (y, z), so the latent reaches the answer. The transformer is the same network applied once.
/// </summary>
public sealed class RefinedNetwork : IFamilyCore
{
    private readonly IsrmConfig _config;
    private readonly Parameter y0, z0;
    private readonly StepEmbedding step_embedding;
    private readonly TinyNetwork network;
    private readonly InputInjection answer_injection;
    private readonly InputInjection? latent_injection;
    private readonly RmsNorm? state_norm;

    public RefinedNetwork(IsrmConfig config)
    {
        _config = config;
        int d = config.Width;
        y0 = new Parameter(randn(d).Times(0.02f));
        z0 = new Parameter(randn(d).Times(0.02f));
        step_embedding = new StepEmbedding(config);
        network = new TinyNetwork(config);
        bool concat = config.InputInjection == InjectionKind.ConcatProject;
        answer_injection = new InputInjection(d, 2, concat);
        if (config.LatentIterations > 0) latent_injection = new InputInjection(d, 3, concat);
        if (config.StateNorm) state_norm = new RmsNorm(d, config.NormEpsilon);
    }

    public IEnumerable<(string Name, object Component)> Components
    {
        get
        {
            yield return (nameof(y0), y0);
            yield return (nameof(z0), z0);
            yield return (nameof(step_embedding), step_embedding);
            yield return (nameof(network), network);
            yield return (nameof(answer_injection), answer_injection);
            if (latent_injection is not null) yield return (nameof(latent_injection), latent_injection);
            if (state_norm is not null) yield return (nameof(state_norm), state_norm);
        }
    }

    public int AttendedPositions(int context) => context;

    public void JoinForInference() => network.JoinForInference();

    /// <summary>
    /// y0 and z0 broadcast to (B, T, D), or a random N(0, σ) start: drawn per position from (seed, position) alone when
    /// seeded (reproducible, and a cached prefix sees the same start as a full recompute), else from the global generator.
    /// </summary>
    public (Tensor Y, Tensor Z) InitialState(long batch, long length, int offset, ulong? seed, Device device)
    {
        long d = _config.Width;
        if (_config.InitialState == InitialStateKind.Random && !_config.IsSinglePass)
        {
            if (seed is not ulong s)
                return (randn(batch, length, d, device: device).Times(_config.InitStateStd), randn(batch, length, d, device: device).Times(_config.InitStateStd));
            using var scope = NewDisposeScope();
            Tensor drawn = tensor(SeededStart.Draw(s, offset, (int)length, (int)d, _config.InitStateStd), new[] { length, 2, d }, device: device);
            return (drawn.select(1, 0).expand(batch, length, d).MoveToOuterDisposeScope(), drawn.select(1, 1).expand(batch, length, d).MoveToOuterDisposeScope());
        }
        return (y0.expand(batch, length, d), z0.expand(batch, length, d));
    }

    /// <summary>
    /// LatentIterations times z ← z + α (f(x + y + z) − z), then y ← y + α (f(y + z) − y) (without latent:
    /// y ← y + α (f(x + y) − y)). <paramref name="alphaOverride"/> = 1 gives the undamped map; <paramref name="norms"/>
    /// = false skips the delta and residual norms (null in the output) when nobody reads them.
    /// </summary>
    public StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, RefinementCache? cache, int offset, bool norms, TokenLayout? layout = null)
    {
        using var scope = NewDisposeScope();
        float alpha = alphaOverride ?? AlphaSchedule.Alpha(_config, k);
        Tensor? step = step_embedding.Forward(k, x.device);
        cache?.Prepare(k, offset);

        for (int j = 0; j < _config.LatentIterations; j++)
        {
            Tensor latentInput = latent_injection!.Forward(x, Normalise(y), Normalise(z));
            Tensor latentTarget = network.Forward(latentInput, step, cache?.Buffers(k, j), offset, layout);
            z = z.Plus((latentTarget - z).Times(alpha));
        }

        Tensor answerInput = _config.LatentIterations > 0
            ? answer_injection.Forward(Normalise(y), Normalise(z))
            : answer_injection.Forward(x, Normalise(y));
        Tensor target = network.Forward(answerInput, step, cache?.Buffers(k, _config.LatentIterations), offset, layout);
        if (_config.LatentIterations == 0) z = z.alias();                 // unchanged, but owned by this step's result
        Tensor? residual = norms || alpha != 1f ? target - y : null;        // (B, T, D)
        Tensor next = alpha == 1f ? target : y.PlusScaled(residual!, alpha);       // y + α (f − y)
        if (!norms) return new StepOutput(next.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(), alpha, null, null);
        Tensor residualNorm = residual!.detach().Squared().sum(-1).sqrt();   // (B, T)
        return new StepOutput(
            next.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(), alpha,
            residualNorm.Times(alpha).MoveToOuterDisposeScope(), residualNorm.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The step of R requests at once, one new position each (<see cref="StepCall"/>: x, y, z of (1, 1, D), its own
    /// step k, cache and position): the same arithmetic as <see cref="Step"/> on each alone, with one network call over
    /// the rows. Returns the rows' states stacked (R, 1, D), their norms (R, 1) when asked, and each row's α.
    /// </summary>
    public (Tensor Y, Tensor Z, Tensor? Delta, Tensor? Residual, float[] Alphas) StepRows(IReadOnlyList<StepCall> calls, bool norms)
    {
        using var scope = NewDisposeScope();
        int r = calls.Count;
        float[] alphas = calls.Select(c => c.AlphaOverride ?? AlphaSchedule.Alpha(_config, c.K)).ToArray();
        bool oneAlpha = alphas.All(a => a == alphas[0]);
        Tensor alphaRows = oneAlpha ? empty(0) : tensor(alphas, new long[] { r, 1, 1 }, device: calls[0].X.device);
        Tensor Scaled(Tensor t) => oneAlpha ? t.Times(alphas[0]) : t * alphaRows;
        Tensor x = cat(calls.Select(c => c.X).ToArray(), 0), y = cat(calls.Select(c => c.Y).ToArray(), 0), z = cat(calls.Select(c => c.Z).ToArray(), 0);
        Tensor? step = calls.Select(c => step_embedding.Forward(c.K, x.device)).ToArray() is var embedded && embedded[0] is null
            ? null : stack(embedded!, 0).unsqueeze(1);                                                   // (R, 1, D)
        int[] offsets = calls.Select(c => c.Place.Offset).ToArray();
        foreach (StepCall c in calls) c.Place.Cache!.Prepare(c.K, c.Place.Offset);
        IReadOnlyList<IReadOnlyList<KvBuffer>> Buffers(int call) => calls.Select(c => c.Place.Cache!.Buffers(c.K, call)).ToArray();

        for (int j = 0; j < _config.LatentIterations; j++)
        {
            Tensor latentInput = latent_injection!.Forward(x, Normalise(y), Normalise(z));
            Tensor latentTarget = network.ForwardRows(latentInput, step, Buffers(j), offsets);
            z = z.Plus(Scaled(latentTarget - z));
        }
        Tensor answerInput = _config.LatentIterations > 0
            ? answer_injection.Forward(Normalise(y), Normalise(z))
            : answer_injection.Forward(x, Normalise(y));
        Tensor target = network.ForwardRows(answerInput, step, Buffers(_config.LatentIterations), offsets);
        bool undamped = oneAlpha && alphas[0] == 1f;
        Tensor? residual = norms || !undamped ? target - y : null;
        Tensor next = undamped ? target : oneAlpha ? y.PlusScaled(residual!, alphas[0]) : y.Plus(residual! * alphaRows);
        if (!norms) return (next.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(), null, null, alphas);
        Tensor residualNorm = residual!.detach().Squared().sum(-1).sqrt();                               // (R, 1)
        Tensor delta = oneAlpha ? residualNorm.Times(alphas[0]) : residualNorm * alphaRows.view(r, 1);
        return (next.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(), delta.MoveToOuterDisposeScope(), residualNorm.MoveToOuterDisposeScope(), alphas);
    }

    private Tensor Normalise(Tensor state) => state_norm is null ? state : state_norm.forward(state);
}
