namespace Isrm.Model.Refinement;

/// <summary>Where a run's positions sit: a text run's K/V cache, first position and task layout; grids use none.</summary>
public readonly record struct StepPlace(RefinementCache? Cache = null, int Offset = 0, TokenLayout? Layout = null);

/// <summary>
/// The one seam of the refinement engine: every network <see cref="Refiner.Run"/> iterates — the ISRM, the transformer
/// baseline, the recurrent families (<see cref="IsrmModel"/>) and every puzzle network — is a map y ← f(x, y, z) read
/// out by logits (B, N, V) over N positions. A network says whether it is applied once; the engine alone turns that
/// into one step whatever K asks for.
/// </summary>
public interface IStepNetwork
{
    /// <summary>Applied once (a transformer, a recurrent model of one tick): one step is its whole answer at every K.</summary>
    bool IsSinglePass { get; }

    /// <summary>The Anderson accelerator this network's configuration asks for, or null for plain steps.</summary>
    AndersonMixer? NewMixer();

    /// <summary>Embeddings or cells x → what every step re-injects, computed once per run; x itself when nothing is done to it.</summary>
    Tensor Inject(Tensor x, StepPlace place);

    /// <summary>The states (y, z) before step 1 (z may be empty); a seeded random start is reproducible per position.</summary>
    (Tensor Y, Tensor Z) InitialState(Tensor x, StepPlace place, ulong? seed);

    /// <summary>
    /// Step k ≥ 1 from the re-injected input and the current states. <paramref name="alphaOverride"/> = 1 gives the
    /// undamped map; <paramref name="norms"/> = false lets the network skip the delta and residual norms.
    /// </summary>
    StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, StepPlace place, bool norms);

    /// <summary>Logits (B, N, V) read from an answer state.</summary>
    Tensor Logits(Tensor y);

    /// <summary>Halting probability per position (B, N); zeros for a network without a halting head.</summary>
    Tensor HaltProbability(Tensor y);
}
