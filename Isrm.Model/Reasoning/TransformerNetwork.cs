namespace Isrm.Model.Reasoning;

/// <summary>
/// The non-recurrent baseline: a standard pre-norm transformer (Blocks distinct layers, full attention over all
/// positions, causal in reading order when the config says so) on the input plus fixed sinusoidal positions computed
/// for any size — mazes: half the channels encode the row, half the column; strings: the position. It is applied once:
/// <see cref="Step"/> ignores the state, so every K gives the same answer, and the trainer uses exactly one step.
/// Attention is quadratic in the number of cells. States (B, Width, H, W) or (B, Width, L).
/// </summary>
public sealed class TransformerNetwork : PuzzleNetwork
{
    private readonly Conv2d projection, head;
    private readonly ChannelRmsNorm head_norm;
    private readonly ModuleList<PuzzleBlock> blocks = new();

    public TransformerNetwork(PuzzleNetConfig config) : base(nameof(TransformerNetwork), config)
    {
        int w = config.Width;
        projection = GridLayout.Pointwise(config.InputChannels, w, bias: true);
        for (int i = 0; i < config.Blocks; i++) blocks.Add(new PuzzleBlock(w, new FullAttention(w, config.Heads, config.Causal)));
        head_norm = new ChannelRmsNorm(w);
        head = GridLayout.Pointwise(w, 2, bias: true);
        RegisterComponents();
    }

    public override bool Recurrent => false;

    /// <summary>A zero state: the network never reads it.</summary>
    public override Tensor InitialState(Tensor x)
    {
        long[] shape = [.. x.shape];
        shape[1] = Config.Width;
        return zeros(shape, dtype: x.dtype, device: x.device);
    }

    public override Tensor Step(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        Tensor h = projection.forward(GridLayout.ToGrid(x));                                  // (B, w, H, W)
        Tensor positions = Positions(h.shape[2], h.shape[3], Config.Width, Config.PuzzleTask.TwoDimensional, h.device);
        h = h.Plus(positions.permute(2, 0, 1).unsqueeze(0));
        foreach (PuzzleBlock block in blocks) h = block.forward(h);
        return GridLayout.FromGrid(h, Config.PuzzleTask).MoveToOuterDisposeScope();
    }

    public override Tensor Logits(Tensor y)
    {
        using var scope = NewDisposeScope();
        return GridLayout.PerPosition(head.forward(head_norm.forward(GridLayout.ToGrid(y)))).MoveToOuterDisposeScope();   // (B, N, 2)
    }

    /// <summary>
    /// Fixed positions (rows, cols, width): for a grid, the first half of the channels encode the row and the rest the
    /// column; for a string (one row), all channels encode the column.
    /// </summary>
    public static Tensor Positions(long rows, long cols, int width, bool twoDimensional, Device? device = null)
    {
        using var scope = NewDisposeScope();
        if (!twoDimensional) return Sinusoid(cols, width, device).unsqueeze(0).MoveToOuterDisposeScope();   // (1, L, w)
        int rowWidth = width / 2;
        Tensor r = Sinusoid(rows, rowWidth, device).unsqueeze(1).expand(rows, cols, rowWidth);
        Tensor c = Sinusoid(cols, width - rowWidth, device).unsqueeze(0).expand(rows, cols, width - rowWidth);
        return cat(new[] { r, c }, -1).MoveToOuterDisposeScope();
    }

    // (n, dims): channel 2i = sin(p / 10000^(2i/dims)), channel 2i + 1 = cos of the same.
    private static Tensor Sinusoid(long n, int dims, Device? device)
    {
        using Scalar two = 2L.ToScalar(), zero = 0L.ToScalar();   // held past the native calls (HeldScalars)
        Tensor p = HeldScalars.Range(0, n, ScalarType.Float32, device).unsqueeze(1);            // (n, 1)
        Tensor channel = HeldScalars.Range(0, dims, ScalarType.Int64, device);                 // (dims)
        Tensor pair = channel.div(two, rounding_mode: RoundingMode.floor).to(ScalarType.Float32);
        Tensor angle = p * pair.Times(-2.0 * Math.Log(10000.0) / Math.Max(1, dims)).exp();     // (n, dims)
        Tensor even = channel.remainder(two).eq(zero);
        return where(even, angle.sin(), angle.cos());
    }
}
