using Isrm.Model.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Isrm.Model.Modules;

/// <summary>f of the refinement: a stack of <see cref="TinyBlock"/>s shared by every step.</summary>
public sealed class TinyNetwork : nn.Module
{
    private readonly ModuleList<TinyBlock> blocks;
    private readonly RotaryEmbedding rope;

    public TinyNetwork(IsrmConfig config) : base(nameof(TinyNetwork))
    {
        blocks = new ModuleList<TinyBlock>(Enumerable.Range(0, config.Layers).Select(_ => new TinyBlock(config)).ToArray());
        rope = new RotaryEmbedding(config.HeadDim, config.MaxContext, config.RopeTheta);
        RegisterComponents();
    }

    public int Layers => blocks.Count;

    /// <summary>Joins each block's q|k|v and gate|up matrices for inference.</summary>
    public void JoinForInference()
    {
        foreach (TinyBlock block in blocks) block.JoinForInference();
    }

    /// <summary>h: (B, T, D) → (B, T, D). caches: one buffer per layer for this call, or null.</summary>
    public Tensor Forward(Tensor h, Tensor? step, IReadOnlyList<KvBuffer>? caches, int offset)
    {
        using var scope = NewDisposeScope();
        var tables = rope.At(offset, h.shape[1]);   // once per call, shared by every layer
        for (int i = 0; i < blocks.Count; i++)
            h = blocks[i].Forward(h, step, tables, caches?[i], offset);
        return h.MoveToOuterDisposeScope();
    }
}
