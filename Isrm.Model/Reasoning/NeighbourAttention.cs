namespace Isrm.Model.Reasoning;

/// <summary>
/// Multi-head attention where each cell of a grid (B, C, H, W) attends only to a fixed set of relative offsets (its
/// "slots"): keys and values are zero-padded once, and the key/value of slot (dy, dx) is a shifted view of the padded
/// tensor, so the cost is linear in the number of cells and nothing depends on absolute position. Slots that fall
/// outside the grid get a score of −∞; each head adds a learned bias per slot (relative, so it may tell directions apart).
/// </summary>
internal sealed class NeighbourAttention : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d qkv, output;
    private readonly Parameter slot_bias;
    private readonly (int Dy, int Dx)[] _slots;
    private readonly int _heads, _top, _bottom, _left, _right;

    public NeighbourAttention(int width, int heads, IReadOnlyList<(int Dy, int Dx)> slots) : base(nameof(NeighbourAttention))
    {
        qkv = GridLayout.Pointwise(width, 3 * width);
        output = GridLayout.Pointwise(width, width);
        slot_bias = new Parameter(zeros(heads, slots.Count));
        _slots = slots.ToArray();
        _heads = heads;
        _top = Math.Max(0, -_slots.Min(s => s.Dy));
        _bottom = Math.Max(0, _slots.Max(s => s.Dy));
        _left = Math.Max(0, -_slots.Min(s => s.Dx));
        _right = Math.Max(0, _slots.Max(s => s.Dx));
        RegisterComponents();
    }

    /// <summary>Mazes: the cell and its 8 neighbours (3×3).</summary>
    public static (int, int)[] Square3x3 { get; } = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 0), (0, 1), (1, -1), (1, 0), (1, 1)];
    /// <summary>Strings, causal: positions i − 2, i − 1 and i.</summary>
    public static (int, int)[] CausalWindow { get; } = [(0, -2), (0, -1), (0, 0)];
    /// <summary>Strings, not causal: positions i − 1, i and i + 1.</summary>
    public static (int, int)[] CentredWindow { get; } = [(0, -1), (0, 0), (0, 1)];

    public override Tensor forward(Tensor h) // (B, C, H, W) → (B, C, H, W)
    {
        using var scope = NewDisposeScope();
        long b = h.shape[0], c = h.shape[1], rows = h.shape[2], cols = h.shape[3], d = c / _heads;
        Tensor[] qkvParts = qkv.forward(h).chunk(3, 1);
        Tensor q = qkvParts[0].DividedBy(Math.Sqrt(d));
        long[] padding = [_left, _right, _top, _bottom];                                   // (W, H) in F.pad order
        Tensor keys = nn.functional.pad(qkvParts[1], padding), values = nn.functional.pad(qkvParts[2], padding);
        Tensor inside = nn.functional.pad(ones(1, 1, rows, cols, device: h.device), padding).to(ScalarType.Bool);

        var scores = new Tensor[_slots.Length];
        var valid = new Tensor[_slots.Length];
        for (int s = 0; s < _slots.Length; s++)
        {
            using var slot = NewDisposeScope();   // the (B, C, H, W) product is not kept: only its per-head sums
            scores[s] = (q * Shift(keys, s, rows, cols)).view(b, _heads, d, rows, cols).sum(2).MoveToOuterDisposeScope();   // (B, heads, H, W)
            valid[s] = Shift(inside, s, rows, cols).MoveToOuterDisposeScope();                                               // (1, 1, H, W)
        }
        Tensor score = stack(scores, 2).Plus(slot_bias.view(1, _heads, _slots.Length, 1, 1));   // (B, heads, S, H, W)
        score = score.MinusInfinityWhere(stack(valid, 2).logical_not());
        Tensor weights = score.softmax(2);

        Tensor mixed = zeros(new long[] { b, _heads, d, rows, cols }, device: h.device);
        for (int s = 0; s < _slots.Length; s++)
        {
            using var slot = NewDisposeScope();
            Tensor v = Shift(values, s, rows, cols).reshape(b, _heads, d, rows, cols);
            mixed = mixed.Plus(weights.narrow(2, s, 1) * v).MoveToOuterDisposeScope();
        }
        return output.forward(mixed.view(b, c, rows, cols)).MoveToOuterDisposeScope();
    }

    // The padded tensor's view whose cell (i, j) holds the original cell (i + dy, j + dx) (zeros outside).
    private Tensor Shift(Tensor padded, int s, long rows, long cols) =>
        padded.narrow(2, _top + _slots[s].Dy, rows).narrow(3, _left + _slots[s].Dx, cols);
}
