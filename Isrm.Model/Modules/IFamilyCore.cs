namespace Isrm.Model.Modules;

/// <summary>
/// What a model family puts between the shared token embedding and the shared head: its start state and one step.
/// ISRM and the transformer are a <see cref="RefinedNetwork"/>; rlm, rlt and gated-rlt a
/// <see cref="Recurrent.RecurrentFamily"/>. <see cref="IsrmModel"/> registers <see cref="Components"/> under their
/// names, so the state-dict names stay what the checkpoints hold.
/// </summary>
public interface IFamilyCore
{
    /// <summary>Modules and parameters by state-dict name (no prefix).</summary>
    IEnumerable<(string Name, object Component)> Components { get; }

    /// <summary>The states (B, T, D) of positions offset … offset+T−1 before step 1.</summary>
    (Tensor Y, Tensor Z) InitialState(long batch, long length, int offset, ulong? seed, Device device);

    /// <summary>
    /// Step k ≥ 1 from (y, z); with a cache, continues from what the cache holds for step k. layout: a text task's
    /// significance and prompt for these positions (attention families only; others ignore it).
    /// </summary>
    StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, RefinementCache? cache, int offset, bool norms, TokenLayout? layout = null);

    /// <summary>Attention positions a token attends to per network call, given the context (for FLOP counts).</summary>
    int AttendedPositions(int context);

    /// <summary>Fuses weights for inference where the family has any to fuse.</summary>
    void JoinForInference();
}
