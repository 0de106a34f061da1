using Isrm.Model.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Isrm.Model.Modules;

/// <summary>Causal grouped-query attention (whitepaper: 6 query heads share 2 key/value heads) with rotary positions.</summary>
public sealed class GroupedQueryAttention : nn.Module
{
    private readonly Linear wq, wk, wv, wo;
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
    }

    /// <summary>
    /// h: (B, T, D) at positions offset…offset+T−1. With a cache, this call's keys/values are stored at those
    /// positions and attention reads all earlier ones; either the cache is empty (T ≥ 1) or T = 1.
    /// </summary>
    public Tensor Forward(Tensor h, RotaryEmbedding rope, KvBuffer? cache, int offset)
    {
        using var scope = NewDisposeScope();
        long b = h.shape[0], t = h.shape[1];
        Tensor q = wq.forward(h).view(b, t, _heads, _headDim).transpose(1, 2);    // (B, H, T, hd)
        Tensor k = wk.forward(h).view(b, t, _kvHeads, _headDim).transpose(1, 2);  // (B, Hkv, T, hd)
        Tensor v = wv.forward(h).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        q = rope.Apply(q, offset);
        k = rope.Apply(k, offset);

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

        int group = _heads / _kvHeads;
        k = k.repeat_interleave(group, dim: 1);                                   // (B, H, S, hd)
        v = v.repeat_interleave(group, dim: 1);
        Tensor attended = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: t > 1);
        Tensor merged = attended.transpose(1, 2).reshape(b, t, _heads * _headDim); // (B, T, D)
        return wo.forward(merged).MoveToOuterDisposeScope();
    }
}
