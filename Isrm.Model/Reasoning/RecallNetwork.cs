namespace Isrm.Model.Reasoning;

/// <summary>
/// A Deep-Thinking "recall" network (Bansal et al. 2022): project the input to a state; each step concatenates the
/// input with the state (re-injection), mixes them by a convolution and residual blocks; a small convolutional head
/// reads one of two classes per position. Only 3-wide (3×3) convolutions, no positions: any size runs.
/// Mazes: 2-D, x (B, 3, H, W). Prefix sums: 1-D, x (B, 2, L), optionally causal.
/// </summary>
public sealed class RecallNetwork : PuzzleNetwork
{
    private readonly nn.Module<Tensor, Tensor> projection, recall;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> head;

    public RecallNetwork(PuzzleNetConfig config) : base(nameof(RecallNetwork), config)
    {
        int w = config.Width, input = config.InputChannels;
        projection = Conv(input, w);
        recall = Conv(w + input, w);
        blocks = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < 2 * config.Blocks; i++) blocks.Add(Conv(w, w));
        head = config.PointwiseHead
            ? new ModuleList<nn.Module<Tensor, Tensor>>(Pointwise(w, w), Pointwise(w, config.HeadWidth), Pointwise(config.HeadWidth, 2))
            : new ModuleList<nn.Module<Tensor, Tensor>>(Conv(w, w), Conv(w, config.HeadWidth), Conv(config.HeadWidth, 2));
        RegisterComponents();
    }

    public override Tensor InitialState(Tensor x) => nn.functional.relu(projection.forward(x));

    public override Tensor Step(Tensor x, Tensor y)
    {
        Tensor h = nn.functional.relu(recall.forward(cat(new[] { y, x }, 1)));   // (B, w, …)
        for (int i = 0; i < blocks.Count; i += 2)
            h = nn.functional.relu(blocks[i + 1].forward(nn.functional.relu(blocks[i].forward(h))).Plus(h));
        return h;
    }

    public override Tensor Logits(Tensor y)
    {
        Tensor h = nn.functional.relu(head[0].forward(y));
        h = nn.functional.relu(head[1].forward(h));
        return head[2].forward(h).flatten(2).transpose(1, 2);                  // (B, N, 2)
    }

    private nn.Module<Tensor, Tensor> Pointwise(int input, int output) => Config.PuzzleTask.TwoDimensional
        ? nn.Conv2d(input, output, 1, bias: false) : nn.Conv1d(input, output, 1, bias: false);

    private nn.Module<Tensor, Tensor> Conv(int input, int output)
    {
        if (Config.PuzzleTask.TwoDimensional) return nn.Conv2d(input, output, 3, padding: 1, bias: false);
        if (!Config.Causal) return nn.Conv1d(input, output, 3, padding: 1, bias: false);
        return new CausalConv(input, output);
    }

    /// <summary>A 1-D convolution over positions i−2, i−1, i (zeros before the string).</summary>
    private sealed class CausalConv : nn.Module<Tensor, Tensor>
    {
        private readonly Conv1d conv;

        public CausalConv(int input, int output) : base(nameof(CausalConv))
        {
            conv = nn.Conv1d(input, output, 3, bias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => conv.forward(nn.functional.pad(x, new long[] { 2, 0 }));
    }
}
