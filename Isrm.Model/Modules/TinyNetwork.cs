namespace Isrm.Model.Modules;

/// <summary>f of the refinement: a stack of <see cref="TinyBlock"/>s shared by every step.</summary>
public sealed class TinyNetwork : nn.Module
{
    private readonly ModuleList<TinyBlock> blocks;
    private readonly RotaryEmbedding rope;
    private readonly IsrmConfig _config;

    public TinyNetwork(IsrmConfig config) : base(nameof(TinyNetwork))
    {
        blocks = new ModuleList<TinyBlock>(Enumerable.Range(0, config.Layers).Select(_ => new TinyBlock(config)).ToArray());
        rope = new RotaryEmbedding(config.HeadDim, config.MaxContext, config.RopeTheta);
        _config = config;
        RegisterComponents();
    }

    public int Layers => blocks.Count;

    /// <summary>Joins each block's q|k|v and gate|up matrices for inference.</summary>
    public void JoinForInference()
    {
        foreach (TinyBlock block in blocks) block.JoinForInference();
    }

    /// <summary>
    /// h: (B, T, D) → (B, T, D). caches: one buffer per layer for this call, or null. layout: the significance and
    /// prompt of these positions, read when the config asks for significance positions or bidirectional prompts.
    /// </summary>
    public Tensor Forward(Tensor h, Tensor? step, IReadOnlyList<KvBuffer>? caches, int offset, TokenLayout? layout = null)
    {
        using var scope = NewDisposeScope();
        long length = h.shape[1];
        var tables = rope.At(offset, length);   // once per call, shared by every layer
        (Tensor, Tensor)? significance = null;
        if (_config.Positions != PositionKind.Rope)
        {
            if (layout?.Significance is null) throw new InvalidOperationException("this model reads digit significance: pass a TokenLayout");
            significance = rope.At(layout.Significance);
        }
        Tensor? mask = null;
        bool bidirectional = _config.PromptAttention == PromptAttentionKind.Bidirectional && length > 1;
        if (bidirectional || _config.SignificanceWindow > 0)
        {
            if (bidirectional && layout?.PromptLength is null) throw new InvalidOperationException("this model attends both ways in the prompt: pass a TokenLayout");
            if (_config.SignificanceWindow > 0 && layout?.AllSignificance is null) throw new InvalidOperationException("this model's attention is windowed by significance: pass a TokenLayout");
            mask = layout!.Mask(offset, length, caches is null ? offset : 0, _config.SignificanceWindow);
        }
        for (int i = 0; i < blocks.Count; i++)
            h = _config.Positions == PositionKind.Significance
                ? blocks[i].Forward(h, step, significance!.Value, caches?[i], offset, null, mask)   // every head reads significance
                : blocks[i].Forward(h, step, tables, caches?[i], offset, significance, mask);
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One new position in each of R rows, each row its own request with its own caches (<paramref name="caches"/>[row][layer])
    /// and position (<paramref name="offsets"/>): h (R, 1, D) → (R, 1, D), as <see cref="Forward"/> on each row alone.
    /// step: (R, 1, D) embeddings of each row's step, or null. Token positions only (no significance, no mask).
    /// </summary>
    public Tensor ForwardRows(Tensor h, Tensor? step, IReadOnlyList<IReadOnlyList<KvBuffer>> caches, IReadOnlyList<int> offsets)
    {
        if (_config.Positions != PositionKind.Rope || _config.SignificanceWindow > 0)
            throw new InvalidOperationException("rows of a batched step read token positions only");
        using var scope = NewDisposeScope();
        long r = h.shape[0];
        Tensor positions = tensor(offsets.Select(o => (long)o).ToArray(), new[] { r, 1L }, device: h.device);   // (R, 1)
        var tables = rope.At(positions);
        int span = offsets.Max() + 1;
        Tensor mask = HeldScalars.Range(0, span, ScalarType.Int64, h.device).view(1, span).le(positions).view(r, 1, 1, span);   // key j ≤ the row's position
        for (int i = 0; i < blocks.Count; i++)
        {
            int layer = i;
            var rows = new KvRows(caches.Select(c => c[layer]).ToArray(), offsets, mask, span);
            h = blocks[i].Forward(h, step, tables, null, 0, rows: rows);
        }
        return h.MoveToOuterDisposeScope();
    }
}
