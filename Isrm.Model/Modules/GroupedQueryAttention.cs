namespace Isrm.Model.Modules;

/// <summary>Causal grouped-query attention (whitepaper: 6 query heads share 2 key/value heads) with rotary positions.</summary>
public sealed class GroupedQueryAttention : nn.Module
{
    private readonly Linear wq, wk, wv, wo;
    private readonly JoinedWeights _qkv;
    private readonly int _heads, _kvHeads, _headDim;

    public GroupedQueryAttention(IsrmConfig config) : base(nameof(GroupedQueryAttention))
    {
        _heads = config.QueryHeads;
        _kvHeads = config.KvHeads;
        _headDim = config.HeadDim;
        wq = nn.Linear(config.Width, _heads * _headDim, hasBias: false);
        wk = nn.Linear(config.Width, _kvHeads * _headDim, hasBias: false);
        wv = nn.Linear(config.Width, _kvHeads * _headDim, hasBias: false);
        wo = nn.Linear(_heads * _headDim, config.Width, hasBias: false);
        RegisterComponents();
        _qkv = new JoinedWeights(() => [wq.weight!, wk.weight!, wv.weight!]);
    }

    /// <summary>Joins q|k|v into one matrix for inference (the parameters and their names stay as they are).</summary>
    public void JoinForInference() => _qkv.Join();

    public override void train(bool on = true)
    {
        base.train(on);
        if (on) _qkv.Release();   // weights are about to change: never read a stale joined copy
    }

    /// <summary>
    /// h: (B, T, D) at positions offset…offset+T−1. With a cache, this call's keys/values are stored at those
    /// positions and attention reads all earlier ones; either the cache is empty (T ≥ 1) or T = 1.
    /// <paramref name="significance"/>: rotary tables of each token's significance, which then rotate the second half of
    /// the query and key heads instead of the token positions; <paramref name="mask"/>: (B, 1, T, S) keys each query may
    /// read, replacing the causal mask (a single new token reads every cached key unless a mask says otherwise).
    /// </summary>
    public Tensor Forward(Tensor h, (Tensor Cos, Tensor Sin) rope, KvBuffer? cache, int offset,
        (Tensor Cos, Tensor Sin)? significance = null, Tensor? mask = null)
    {
        using var scope = NewDisposeScope();
        long b = h.shape[0], t = h.shape[1];
        int group = _heads / _kvHeads;
        Tensor qkv = MixedPrecision.Linear(h, _qkv.Weight).view(b, t, _heads + 2 * _kvHeads, _headDim); // (B, T, H + 2Hkv, hd)
        Tensor qk = significance is { } tables
            ? RotateHalves(qkv, rope, tables)
            : RotaryEmbedding.Apply(qkv.narrow(2, 0, _heads + _kvHeads), rope);                    // queries and keys rotated at once
        Tensor q = qk.narrow(2, 0, _heads);                                                          // (B, T, H, hd)
        Tensor k = qk.narrow(2, _heads, _kvHeads).transpose(1, 2);                                   // (B, Hkv, T, hd)
        Tensor v = qkv.narrow(2, _heads + _kvHeads, _kvHeads).transpose(1, 2);

        if (cache is not null)
        {
            if (t > 1 && offset > 0) throw new InvalidOperationException("cached attention takes a whole prompt or one token");
            using (no_grad())
            {
                cache.Keys.narrow(2, offset, t).copy_(k);
                cache.Values.narrow(2, offset, t).copy_(v);
            }
            cache.Length = offset + (int)t;
            k = cache.Keys.narrow(2, 0, offset + t);
            v = cache.Values.narrow(2, 0, offset + t);
        }

        Tensor merged;
        if (t == 1)
        {
            // One new position sees every cached one: its query heads of a group read their shared key/value head
            // as a (group × S) attention, so the cache is read in place rather than copied per query head.
            Tensor grouped = q.reshape(b, _kvHeads, group, _headDim);                                // (B, Hkv, group, hd)
            merged = (mask is null
                ? nn.functional.scaled_dot_product_attention(grouped, k, v)
                : nn.functional.scaled_dot_product_attention(grouped, k, v, attn_mask: mask)).view(b, 1, _heads * _headDim);   // mask (B, 1, 1, S)
        }
        else
        {
            Tensor attended = mask is null
                ? nn.functional.scaled_dot_product_attention(
                    q.transpose(1, 2), k.repeat_interleave(group, dim: 1), v.repeat_interleave(group, dim: 1), is_casual: true) // (B, H, T, hd)
                : nn.functional.scaled_dot_product_attention(
                    q.transpose(1, 2), k.repeat_interleave(group, dim: 1), v.repeat_interleave(group, dim: 1), attn_mask: mask);
            merged = attended.transpose(1, 2).reshape(b, t, _heads * _headDim);                      // (B, T, D)
        }
        return MixedPrecision.Linear(merged, wo.weight!).MoveToOuterDisposeScope();
    }

    // Query heads 0…H/2−1 read key/value heads 0…Hkv/2−1 (repeat_interleave groups consecutive heads), so rotating the
    // first halves by token position and the second halves by significance keeps each query with keys of its own kind.
    private Tensor RotateHalves(Tensor qkv, (Tensor Cos, Tensor Sin) rope, (Tensor Cos, Tensor Sin) significance)
    {
        int halfQ = _heads / 2, halfKv = _kvHeads / 2;
        return cat(new[]
        {
            RotaryEmbedding.Apply(qkv.narrow(2, 0, halfQ), rope),
            RotaryEmbedding.Apply(qkv.narrow(2, halfQ, halfQ), significance),
            RotaryEmbedding.Apply(qkv.narrow(2, _heads, halfKv), rope),
            RotaryEmbedding.Apply(qkv.narrow(2, _heads + halfKv, halfKv), significance),
        }, 2);                                                                                      // (B, T, H + Hkv, hd)
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _qkv.Release();
        base.Dispose(disposing);
    }
}
