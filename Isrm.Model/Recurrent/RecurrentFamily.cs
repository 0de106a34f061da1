namespace Isrm.Model.Recurrent;

/// <summary>
/// rlm, rlt and gated-rlt as a family of <see cref="IsrmModel"/>: the core reads the tokens once per tick. Tick k
/// feeds the core x + norm(y_{k−1}) (tick 1: x alone) and y_k is its read-out, so with Ticks = N every token gets N
/// core updates, one per tick, each tick carrying its own fixed-size state from token to token (as ISRM keeps one
/// K/V cache per step). Memory stays O(1) in the context; the refinement engine drives the ticks like ISRM's steps.
/// </summary>
public sealed class RecurrentFamily : IFamilyCore
{
    private readonly IsrmConfig _config;
    private readonly RecurrentCore recurrent;
    private readonly RmsNorm? tick_norm;   // only models trained with ticks have it: one-tick checkpoints load unchanged

    public RecurrentFamily(IsrmConfig config)
    {
        _config = config;
        recurrent = RecurrentCore.Create(config);
        if (config.Ticks > 1) tick_norm = new RmsNorm(config.Width, config.NormEpsilon);
    }

    public RecurrentCore Core => recurrent;

    public IEnumerable<(string Name, object Component)> Components
    {
        get
        {
            yield return (nameof(recurrent), recurrent);
            if (tick_norm is not null) yield return (nameof(tick_norm), tick_norm);
        }
    }

    public int AttendedPositions(int context) => recurrent.AttendedPositions;

    public void JoinForInference() { }

    /// <summary>y_0 = 0 (the core starts from its own learned or zero state).</summary>
    public (Tensor Y, Tensor Z) InitialState(long batch, long length, int offset, ulong? seed, Device device)
    {
        Tensor none = zeros(_config.Width, device: device).expand(batch, length, _config.Width);
        return (none, none.alias());
    }

    /// <summary>
    /// Tick k over x (B, T, D). Delta and residual at tick 1 are ‖o_t − o_{t−1}‖, how far the read-out moved with this
    /// token; at tick k ≥ 2 both are ‖y_k − y_{k−1}‖, how far this tick moved it (a fixed point across ticks gives 0).
    /// With a cache the tick's state continues from the tokens read before (offset must equal what it has read).
    /// </summary>
    public StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, RefinementCache? cache, int offset, bool norms, TokenLayout? layout = null)
    {
        using var scope = NewDisposeScope();
        RecurrentState? carried = cache?.Tick(k, offset);
        bool continuing = carried is { IsEmpty: false } && offset > 0;
        if (continuing && carried!.Length != offset)
            throw new InvalidOperationException($"the recurrent state of tick {k} has read {carried.Length} tokens, not {offset}");
        Tensor[] state = continuing ? carried!.Tensors.ToArray() : recurrent.InitialState(x.shape[0], x.device);
        Tensor input = k == 1 || tick_norm is null ? x : x.Plus(tick_norm.forward(y));   // (B, T, D)
        var (outputs, next) = recurrent.Forward(input, state, offset);              // (B, T, D)
        Tensor? moved = null;
        if (norms && k == 1)
        {
            Tensor before = continuing && carried!.LastOutput is Tensor last ? last.unsqueeze(1) : zeros_like(outputs.narrow(1, 0, 1));
            Tensor previous = cat(new[] { before, outputs.narrow(1, 0, outputs.shape[1] - 1) }, 1);
            moved = (outputs - previous).detach().Squared().sum(-1).sqrt();              // (B, T)
        }
        else if (norms) moved = (outputs - y).detach().Squared().sum(-1).sqrt();        // (B, T)
        carried?.Replace(next, offset + (int)x.shape[1], outputs.select(1, -1));
        return new StepOutput(outputs.MoveToOuterDisposeScope(), z.alias().MoveToOuterDisposeScope(), 1f,
            moved?.MoveToOuterDisposeScope(), moved?.clone().MoveToOuterDisposeScope());
    }
}
