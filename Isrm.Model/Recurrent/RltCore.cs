namespace Isrm.Model.Recurrent;

/// <summary>
/// The recurrent transformer baseline (RLT) of the RLM proposal: a memory of M slots (B, M, D) is carried from token
/// to token; each token runs <see cref="TinyBlock"/>s over [x_t, memory] and the slots' outputs become the next
/// memory (RMS-normalised so that 1,000s of updates cannot blow it up). Gated RLT mixes old and new memory through a
/// learned sigmoid gate. The read-out is the last slot's output, which (causal attention) has seen the token and every slot.
/// </summary>
public sealed class RltCore : RecurrentCore
{
    private readonly Parameter memory0;
    private readonly ModuleList<TinyBlock> blocks;
    private readonly RotaryEmbedding rope;
    private readonly RmsNorm memory_norm;
    private readonly Linear? gate;
    private readonly int _slots, _width;

    public RltCore(IsrmConfig config, bool gated) : base(nameof(RltCore))
    {
        _slots = config.MemorySlots;
        _width = config.Width;
        memory0 = new Parameter(randn(_slots, _width).Times(0.02f));
        var blockConfig = config with { StepEmbedding = StepEmbeddingKind.None };
        blocks = new ModuleList<TinyBlock>(Enumerable.Range(0, config.Layers).Select(_ => new TinyBlock(blockConfig)).ToArray());
        rope = new RotaryEmbedding(config.HeadDim, _slots + 1, config.RopeTheta);
        memory_norm = new RmsNorm(_width, config.NormEpsilon);
        if (gated) gate = nn.Linear(2 * _width, _width);
        RegisterComponents();
    }

    public override long StateFloats => (long)_slots * _width;

    public override int AttendedPositions => _slots + 1;

    public override Tensor[] InitialState(long batch, Device device) => [memory0.to(device).expand(batch, _slots, _width)];

    public override (Tensor Outputs, Tensor[] State) Forward(Tensor x, Tensor[] state, int offset)
    {
        using var scope = NewDisposeScope();
        long t = x.shape[1];
        Tensor memory = state[0];                                                  // (B, M, D)
        var outputs = new Tensor[t];
        for (int i = 0; i < t; i++)
        {
            using var step = NewDisposeScope();
            // Token first: under causal attention every slot then sees the token, and the last slot sees everything.
            Tensor h = cat(new[] { x.narrow(1, i, 1), memory }, 1);                // (B, 1 + M, D)
            var tables = rope.At(0, h.shape[1]);
            foreach (TinyBlock block in blocks) h = block.Forward(h, null, tables, null, 0);
            Tensor proposed = memory_norm.forward(h.narrow(1, 1, _slots));        // (B, M, D)
            if (gate is null) memory = proposed;
            else
            {
                Tensor g = sigmoid(gate.forward(cat(new[] { proposed, memory }, -1)));
                memory = memory.Plus(g * (proposed - memory));
            }
            memory.MoveToOuterDisposeScope();
            outputs[i] = h.select(1, _slots).MoveToOuterDisposeScope();           // (B, D)
        }
        Tensor all = stack(outputs, 1);                                            // (B, T, D)
        return (all.MoveToOuterDisposeScope(), [memory.MoveToOuterDisposeScope()]);
    }
}
