namespace Isrm.Model.Recurrent;

/// <summary>
/// The hybrid the RLM proposal concludes with: a recurrent core plus a small attention memory over the last W tokens.
/// Each token t leaves a key and a value made from (x_{t−1}, x_t), itself and the token before it, so a later query for
/// x_{t−1} can find what followed it (a shifted key, as in H3 and Based); the query is made from x_t and the core's
/// read-out o_t; the attention result, projected, is added to o_t. Token t sees positions t−W+1 … t. State: the core's,
/// plus W keys, W values and the last input: 2·W·D + D floats more, whatever the context beyond W.
/// </summary>
public sealed class HybridCore : RecurrentCore
{
    private readonly RecurrentCore core;
    private readonly Linear key_value;   // [x_{t−1}, x_t] (2D) → key and value (2D)
    private readonly Linear query;       // [x_t, o_t] (2D) → (D)
    private readonly Linear output;      // attention result (D) → added to o_t
    private readonly int _window, _heads, _width;

    public HybridCore(IsrmConfig config, RecurrentCore inner) : base(nameof(HybridCore))
    {
        core = inner;
        _window = config.Window;
        _heads = config.QueryHeads;
        _width = config.Width;
        key_value = nn.Linear(2 * _width, 2 * _width);
        query = nn.Linear(2 * _width, _width);
        output = nn.Linear(_width, _width);
        RegisterComponents();
    }

    /// <summary>The recurrent core inside.</summary>
    public RecurrentCore Inner => core;

    public override long StateFloats => core.StateFloats + 2L * _window * _width + _width;

    public override int AttendedPositions => core.AttendedPositions + _window;

    public override Tensor[] InitialState(long batch, Device device) =>
    [
        .. core.InitialState(batch, device),
        zeros(batch, _window, _width, device: device),   // keys of the last W positions
        zeros(batch, _window, _width, device: device),   // their values
        zeros(batch, _width, device: device),            // the last input x_{t−1}
    ];

    public override (Tensor Outputs, Tensor[] State) Forward(Tensor x, Tensor[] state, int offset)
    {
        using var scope = NewDisposeScope();
        int n = state.Length - 3;
        long b = x.shape[0], t = x.shape[1];
        var (o, inner) = core.Forward(x, state[..n], offset);                              // (B, T, D)
        Tensor keys = state[n], values = state[n + 1];                                      // (B, W, D)
        Tensor previous = cat(new[] { state[n + 2].unsqueeze(1), x.narrow(1, 0, t - 1) }, 1);  // x_{t−1} per position
        Tensor kv = key_value.forward(cat(new[] { previous, x }, -1));                       // (B, T, 2D)
        Tensor k = kv.narrow(-1, 0, _width), v = kv.narrow(-1, _width, _width);
        Tensor q = query.forward(cat(new[] { x, o }, -1));                                   // (B, T, D)
        var read = new List<Tensor>();
        // Blocks of at most W tokens: each sees the W keys before it and its own, so memory is O(T·W), never O(T²).
        for (int start = 0; start < t; start += _window)
        {
            int length = (int)Math.Min(_window, t - start);
            Tensor allKeys = cat(new[] { keys, k.narrow(1, start, length) }, 1);             // (B, W+L, D)
            Tensor allValues = cat(new[] { values, v.narrow(1, start, length) }, 1);
            read.Add(Attend(q.narrow(1, start, length), allKeys, allValues, offset + start));
            keys = allKeys.narrow(1, length, _window);
            values = allValues.narrow(1, length, _window);
        }
        Tensor outputs = o.Plus(output.forward(cat(read.ToArray(), 1)));                         // (B, T, D)
        Tensor[] next = [.. inner, keys, values, x.select(1, -1)];
        return (outputs.MoveToOuterDisposeScope(), next.Select(s => s.MoveToOuterDisposeScope()).ToArray());
    }

    // Queries (B, L, D) of positions p = first … first+L−1 over keys/values (B, W+L, D) of positions first−W … first+L−1:
    // query j sees key i when first−W+i is in (p−W, p] and not before the sequence start.
    private Tensor Attend(Tensor q, Tensor keys, Tensor values, int first)
    {
        using var scope = NewDisposeScope();
        long b = q.shape[0], l = q.shape[1], m = keys.shape[1];
        int dim = _width / _heads;
        Tensor Heads(Tensor a, long length) => a.reshape(b, length, _heads, dim).transpose(1, 2);   // (B, H, ·, d)
        Tensor scores = Heads(q, l).matmul(Heads(keys, m).transpose(-2, -1)).DividedBy(Math.Sqrt(dim));      // (B, H, L, W+L)
        Tensor i = HeldScalars.Range(0, m, int64, q.device).unsqueeze(0), j = HeldScalars.Range(0, l, int64, q.device).unsqueeze(1);
        Tensor visible = i.gt(j).logical_and(i.le(j.Plus((long)_window))).logical_and(i.NotBelow(_window - first)); // (L, W+L)
        Tensor weights = scores.MinusInfinityWhere(visible.logical_not()).softmax(-1);
        Tensor read = weights.matmul(Heads(values, m)).transpose(1, 2).reshape(b, l, _width);       // (B, L, D)
        return read.MoveToOuterDisposeScope();
    }
}
