namespace Isrm.Model.Reasoning;

/// <summary>
/// The refined TinyNetwork-style network with local attention: every step concatenates the normalised state with the
/// input (re-injection) and projects it to the width, then runs the config's Blocks pre-norm blocks whose
/// attention sees only a neighbourhood (<see cref="NeighbourAttention"/>) — mazes: the cell and its 3×3 neighbours;
/// prefix sums: positions i − 2..i when causal, else i − 1..i + 1. Linear in the number of cells, no absolute positions:
/// any size runs. The head reads each position's own state. States (B, Width, H, W) or (B, Width, L).
/// </summary>
public sealed class NeighbourAttentionNetwork : PuzzleNetwork
{
    private readonly Conv2d projection, inject, head;
    private readonly ChannelRmsNorm state_norm, head_norm;
    private readonly ModuleList<PuzzleBlock> blocks = new();

    public NeighbourAttentionNetwork(PuzzleNetConfig config) : base(nameof(NeighbourAttentionNetwork), config)
    {
        int w = config.Width, input = config.InputChannels;
        (int, int)[] slots = config.PuzzleTask.TwoDimensional ? NeighbourAttention.Square3x3
            : config.Causal ? NeighbourAttention.CausalWindow : NeighbourAttention.CentredWindow;
        projection = GridLayout.Pointwise(input, w, bias: true);
        state_norm = new ChannelRmsNorm(w);
        inject = GridLayout.Pointwise(w + input, w);
        for (int i = 0; i < config.Blocks; i++) blocks.Add(new PuzzleBlock(w, new NeighbourAttention(w, config.Heads, slots)));
        head_norm = new ChannelRmsNorm(w);
        head = GridLayout.Pointwise(w, 2, bias: true);
        RegisterComponents();
    }

    public override Tensor InitialState(Tensor x)
    {
        using var scope = NewDisposeScope();
        return GridLayout.FromGrid(projection.forward(GridLayout.ToGrid(x)), Config.PuzzleTask).MoveToOuterDisposeScope();
    }

    public override Tensor Step(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        // Normalising the state before it meets the input keeps its scale from compounding over thousands of steps.
        Tensor h = inject.forward(cat(new[] { state_norm.forward(GridLayout.ToGrid(y)), GridLayout.ToGrid(x) }, 1));    // (B, w, H, W)
        foreach (PuzzleBlock block in blocks) h = block.forward(h);
        return GridLayout.FromGrid(h, Config.PuzzleTask).MoveToOuterDisposeScope();
    }

    public override Tensor Logits(Tensor y)
    {
        using var scope = NewDisposeScope();
        return GridLayout.PerPosition(head.forward(head_norm.forward(GridLayout.ToGrid(y)))).MoveToOuterDisposeScope();   // (B, N, 2)
    }
}
