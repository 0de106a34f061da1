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

    /// <summary>
    /// One new position in each of R rows, each row its own request: h (R, 1, D) at each row's own position, with
    /// <paramref name="rope"/> tables (R, 1, …) of those positions. Each row's keys/values go to its own cache; every row
    /// reads its own cached keys through <see cref="KvRows.Mask"/>. Equals <see cref="Forward"/> on each row alone.
    /// </summary>
    public Tensor ForwardRows(Tensor h, (Tensor Cos, Tensor Sin) rope, KvRows rows)
    {
        using var scope = NewDisposeScope();
        long r = h.shape[0];
        int group = _heads / _kvHeads;
        Tensor qkv = MixedPrecision.Linear(h, _qkv.Weight).view(r, 1, _heads + 2 * _kvHeads, _headDim);   // (R, 1, H + 2Hkv, hd)
        Tensor qk = RotaryEmbedding.Apply(qkv.narrow(2, 0, _heads + _kvHeads), rope);
        Tensor q = qk.narrow(2, 0, _heads);                                                          // (R, 1, H, hd)
        Tensor k = qk.narrow(2, _heads, _kvHeads).transpose(1, 2);                                   // (R, Hkv, 1, hd)
        Tensor v = qkv.narrow(2, _heads + _kvHeads, _kvHeads).transpose(1, 2);
        var (keys, values) = WriteAndRead(k, v, rows);
        Tensor grouped = q.reshape(r, _kvHeads, group, _headDim);                                    // (R, Hkv, group, hd)
        Tensor merged = nn.functional.scaled_dot_product_attention(grouped, keys, values, attn_mask: rows.Mask)
            .view(r, 1, _heads * _headDim);
        return MixedPrecision.Linear(merged, wo.weight!).MoveToOuterDisposeScope();
    }

    // Stores each row's new key/value (R, Hkv, 1, hd) at its position in its cache and returns every row's first Span
    // keys/values (R, Hkv, Span, hd). Rows whose buffers are slots of one shared tensor (KvSlots) are written and read
    // in one call each; a row with a buffer of its own, one call per row.
    private static (Tensor Keys, Tensor Values) WriteAndRead(Tensor k, Tensor v, KvRows rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int r = rows.Buffers.Count;
        var keyParts = new List<Tensor>();
        var valueParts = new List<Tensor>();
        var order = new List<long>();
        foreach (var group in Enumerable.Range(0, r).GroupBy(i => rows.Buffers[i].Shared?.Keys ?? (object)i, ReferenceEqualityComparer.Instance))
        {
            int[] members = [.. group];
            KvBuffer first = rows.Buffers[members[0]];
            if (first.Shared is { } shared)
            {
                bool all = members.Length == r;
                Tensor index = tensor(members.Select(i => (long)i).ToArray(), device: k.device);
                Tensor slots = tensor(members.Select(i => (long)rows.Buffers[i].Slot).ToArray(), device: k.device);
                Tensor positions = tensor(members.Select(i => (long)rows.Offsets[i]).ToArray(), device: k.device);
                Tensor newKeys = (all ? k : k.index_select(0, index)).squeeze(2), newValues = (all ? v : v.index_select(0, index)).squeeze(2);   // (g, Hkv, hd)
                shared.Keys.index_put_(newKeys, TensorIndex.Tensor(slots), TensorIndex.Colon, TensorIndex.Tensor(positions));
                shared.Values.index_put_(newValues, TensorIndex.Tensor(slots), TensorIndex.Colon, TensorIndex.Tensor(positions));
                keyParts.Add(shared.Keys.narrow(2, 0, rows.Span).index_select(0, slots));
                valueParts.Add(shared.Values.narrow(2, 0, rows.Span).index_select(0, slots));
            }
            else
            {
                int i = members[0];
                first.Keys.narrow(2, rows.Offsets[i], 1).copy_(k.narrow(0, i, 1));
                first.Values.narrow(2, rows.Offsets[i], 1).copy_(v.narrow(0, i, 1));
                keyParts.Add(first.Keys.narrow(2, 0, rows.Span));
                valueParts.Add(first.Values.narrow(2, 0, rows.Span));
            }
            foreach (int i in members) rows.Buffers[i].Length = rows.Offsets[i] + 1;
            order.AddRange(members.Select(i => (long)i));
        }
        Tensor keys = keyParts.Count == 1 ? keyParts[0] : cat(keyParts, 0), values = valueParts.Count == 1 ? valueParts[0] : cat(valueParts, 0);
        if (order.Select((row, at) => row != at).Any(moved => moved))
        {
            // back to row order: the row at place p of the groups' order goes to place order[p]
            long[] inverse = new long[r];
            for (int p = 0; p < r; p++) inverse[order[p]] = p;
            Tensor back = tensor(inverse, device: k.device);
            keys = keys.index_select(0, back);
            values = values.index_select(0, back);
        }
        return (keys.MoveToOuterDisposeScope(), values.MoveToOuterDisposeScope());
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
