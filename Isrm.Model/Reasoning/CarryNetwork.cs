namespace Isrm.Model.Reasoning;

/// <summary>
/// Prefix sums with a core where "read the previous position" is the only way information moves: each step, every
/// position's next state is a small pointwise network of the previous position's current state (zeros before the
/// string) and its own bit, re-injected every step. It never reads its own old state, so after K steps the first K
/// positions hold exactly what a left-to-right recurrent cell would hold — whatever the starting state — and the
/// later ones are still guesses: thinking longer moves a wavefront of settled answers to the right, one position per
/// step, on strings of any length. A local rule over a window of bits (the failure of the 3-wide recall nets) cannot
/// be expressed. Layout (B, Width, L).
/// </summary>
public sealed class CarryNetwork : PuzzleNetwork
{
    private readonly ModuleList<Conv1d> layers = new();
    private readonly Conv1d head;

    public CarryNetwork(PuzzleNetConfig config) : base(nameof(CarryNetwork), config)
    {
        int w = config.Width, depth = Math.Max(1, config.Blocks);
        layers.Add(nn.Conv1d(w + config.InputChannels, w, 1));
        for (int i = 1; i <= depth; i++) layers.Add(nn.Conv1d(w, w, 1));
        head = nn.Conv1d(w, 2, 1);
        RegisterComponents();
    }

    public override Tensor InitialState(Tensor x) => zeros(x.shape[0], Config.Width, x.shape[2], dtype: x.dtype, device: x.device);

    public override Tensor Step(Tensor x, Tensor y)
    {
        Tensor previous = nn.functional.pad(y, new long[] { 1, 0 }).narrow(2, 0, y.shape[2]);   // state of position i − 1
        Tensor h = cat(new[] { previous, x }, 1);
        for (int i = 0; i < layers.Count - 1; i++) h = nn.functional.relu(layers[i].forward(h));
        return tanh(layers[^1].forward(h));
    }

    public override Tensor Logits(Tensor y) => head.forward(y).transpose(1, 2);                       // (B, L, 2)
}
