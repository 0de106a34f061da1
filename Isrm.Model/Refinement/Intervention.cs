namespace Isrm.Model.Refinement;

/// <summary>What every step re-injects and the two states, as an <see cref="Intervention"/> sees and returns them.</summary>
public readonly record struct InterventionState(Tensor Input, Tensor Y, Tensor Z);

/// <summary>
/// A change to a run between two of its steps: after step <see cref="AfterStep"/> (0 = before step 1, the start), the
/// engine hands <see cref="Apply"/> the re-injected input and the states and refines on from what it returns. With
/// <see cref="LastPositionOnly"/> only the last position of a text run takes the change (the token being made); the
/// others keep theirs. The viewer's interventions and the path-independence probe's starts are both made here.
/// </summary>
public sealed record Intervention(int AfterStep, Func<InterventionState, InterventionState> Apply, bool LastPositionOnly = false)
{
    /// <summary>The states replaced by Gaussian noise of their own RMS (the input's where a state is zero), drawn from <paramref name="seed"/>.</summary>
    public static Intervention RandomState(int afterStep, ulong seed, bool lastPositionOnly = false) =>
        new(afterStep, s =>
        {
            var generator = new TorchSharp.torch.Generator(seed, s.Y.device);
            double inputRms = Rms(s.Input);
            Tensor Draw(Tensor t)
            {
                if (t.numel() == 0) return t;
                double rms = Rms(t);
                return randn(t.shape, dtype: t.dtype, device: t.device, generator: generator).Times(rms > 1e-6 ? rms : inputRms);
            }
            return s with { Y = Draw(s.Y), Z = Draw(s.Z) };
        }, lastPositionOnly);

    /// <summary>
    /// Path independence: row 0 keeps its own start; row i ≥ 1 starts from Gaussian noise of row 0's RMS (the input's
    /// where that is zero), seeded by (<paramref name="seed"/>, i). With <paramref name="lastPositionOnly"/> the RMS is
    /// the last position's and only that position changes.
    /// </summary>
    public static Intervention RandomStarts(long seed, bool lastPositionOnly = false) => new(0, s =>
    {
        Tensor Own(Tensor t) => lastPositionOnly ? t[0].select(0, -1) : t[0];
        Tensor Draw(Tensor t)
        {
            if (t.numel() == 0) return t;
            Tensor drawn = t.clone();
            double rms = Rms(Own(t));
            if (!(rms > 1e-6)) rms = Rms(Own(s.Input));
            for (int i = 1; i < t.shape[0]; i++)
            {
                var generator = new TorchSharp.torch.Generator((ulong)SeededStart.Stream(seed, i), t.device);
                drawn[i].copy_(randn(t[i].shape, dtype: t.dtype, device: t.device, generator: generator).Times(rms));
            }
            return drawn;
        }
        return s with { Y = Draw(s.Y), Z = Draw(s.Z) };
    }, lastPositionOnly);

    /// <summary>The states multiplied by <paramref name="factor"/>.</summary>
    public static Intervention Scaled(int afterStep, double factor, bool lastPositionOnly = false) =>
        new(afterStep, s => s with { Y = s.Y.Times(factor), Z = s.Z.numel() == 0 ? s.Z : s.Z.Times(factor) }, lastPositionOnly);

    /// <summary>The states replaced by <paramref name="y"/> and <paramref name="z"/> (another run's, shaped like the positions they replace).</summary>
    public static Intervention ForeignState(int afterStep, Tensor y, Tensor z, bool lastPositionOnly = false) =>
        new(afterStep, s => s with { Y = Fit(y, s.Y), Z = s.Z.numel() == 0 ? s.Z : Fit(z, s.Z) }, lastPositionOnly);

    /// <summary>What every later step re-injects replaced by <paramref name="input"/> (a forced token's, shaped like the positions it replaces).</summary>
    public static Intervention ForcedInput(int afterStep, Tensor input, bool lastPositionOnly = false) =>
        new(afterStep, s => s with { Input = Fit(input, s.Input) }, lastPositionOnly);

    /// <summary>
    /// Applies the change to (input, y, z) and returns new tensors the caller owns (never one of its arguments): with
    /// <see cref="LastPositionOnly"/> the last position (dimension 1) of each comes from the change, the rest from the argument.
    /// </summary>
    internal InterventionState Run(InterventionState state)
    {
        using var scope = NewDisposeScope();
        InterventionState changed = Apply(state);
        Tensor Take(Tensor before, Tensor after)
        {
            Tensor result = ReferenceEquals(before, after) ? before.clone() : after;
            if (LastPositionOnly && before.dim() >= 2 && before.shape[1] > 1 && before.numel() > 0)
            {
                long last = before.shape[1] - 1;
                result = cat([before.narrow(1, 0, last), result.narrow(1, last, 1)], 1);
            }
            return result.DetachFromDisposeScope();
        }
        return new InterventionState(Take(state.Input, changed.Input), Take(state.Y, changed.Y), Take(state.Z, changed.Z));
    }

    private static double Rms(Tensor t) => t.numel() == 0 ? 0 : t.Squared().mean().sqrt().item<float>();

    // A replacement for `like`: its last positions when it covers more (a whole sequence's run for one token), checked otherwise.
    private static Tensor Fit(Tensor replacement, Tensor like)
    {
        if (replacement.dim() >= 2 && like.dim() >= 2 && replacement.shape[1] > like.shape[1])
            replacement = replacement.narrow(1, replacement.shape[1] - like.shape[1], like.shape[1]);
        if (!replacement.shape.SequenceEqual(like.shape))
            throw new ArgumentException($"the replacement state has shape ({string.Join(", ", replacement.shape)}), the run's ({string.Join(", ", like.shape)}).");
        return replacement.to(like.dtype, like.device);
    }
}
