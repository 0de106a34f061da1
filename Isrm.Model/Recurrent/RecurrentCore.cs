namespace Isrm.Model.Recurrent;

/// <summary>
/// A sequence model whose whole memory of the past is a fixed-size state, advanced once per token: the state's size
/// does not depend on how many tokens it has read (O(1) memory), unlike a transformer's K/V cache (O(n)).
/// </summary>
public abstract class RecurrentCore : nn.Module
{
    protected RecurrentCore(string name) : base(name) { }

    /// <summary>The state before the first token, for a batch of <paramref name="batch"/> streams.</summary>
    public abstract Tensor[] InitialState(long batch, Device device);

    /// <summary>
    /// x: (B, T, D) embeddings of the tokens at positions offset…offset+T−1; state: what <see cref="InitialState"/> or a
    /// previous call returned. Returns per-token read-outs (B, T, D) and the state after the last token.
    /// </summary>
    public abstract (Tensor Outputs, Tensor[] State) Forward(Tensor x, Tensor[] state, int offset);

    /// <summary>Floats of state per stream (what inference keeps between tokens, whatever the context length).</summary>
    public abstract long StateFloats { get; }

    /// <summary>Positions one token attends to per call (RLT: the token and its slots; RLM: none), for FLOP counts.</summary>
    public abstract int AttendedPositions { get; }

    /// <summary>The core a recurrent family names, inside a <see cref="HybridCore"/> when the config asks for a window.</summary>
    public static RecurrentCore Create(IsrmConfig config)
    {
        RecurrentCore core = config.Family switch
        {
            ModelFamily.Rlm => new RlmCore(config),
            ModelFamily.Rlt => new RltCore(config, gated: false),
            ModelFamily.GatedRlt => new RltCore(config, gated: true),
            _ => throw new ArgumentException($"family {config.Family.Kebab()} has no recurrent core."),
        };
        return config.Window > 0 ? new HybridCore(config, core) : core;
    }
}
