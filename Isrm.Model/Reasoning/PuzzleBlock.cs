using Isrm.Model.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Isrm.Model.Reasoning;

/// <summary>
/// The attention networks work on channels-last grids (B, H, W, C); a string of L bits is a grid of one row (H = 1).
/// The <see cref="PuzzleNetwork"/> contract keeps channels on dimension 1, so these convert at the boundary.
/// </summary>
internal static class GridLayout
{
    /// <summary>Mazes (B, C, H, W) or strings (B, C, L) → (B, H, W, C).</summary>
    public static Tensor ToGrid(Tensor t) => t.dim() == 4 ? t.permute(0, 2, 3, 1) : t.permute(0, 2, 1).unsqueeze(1);

    /// <summary>(B, H, W, C) → mazes (B, C, H, W) or strings (B, C, L).</summary>
    public static Tensor FromGrid(Tensor g, PuzzleTask task) =>
        task == PuzzleTask.Mazes ? g.permute(0, 3, 1, 2).contiguous() : g.squeeze(1).permute(0, 2, 1).contiguous();

    /// <summary>(B, H, W, 2) → (B, N, 2), row-major like the targets.</summary>
    public static Tensor PerPosition(Tensor g) => g.reshape(g.shape[0], g.shape[1] * g.shape[2], g.shape[3]);
}

/// <summary>
/// TinyNetwork-style pre-norm block on a grid (B, H, W, C): h + attention(norm(h)), then h + SwiGLU(norm(h)), with the
/// text model's <see cref="RmsNorm"/> and <see cref="SwiGlu"/>; which positions attend to which is the attention's business.
/// </summary>
internal sealed class PuzzleBlock : nn.Module<Tensor, Tensor>
{
    public const int FfnMultiple = 4;
    private const double NormEpsilon = 1e-5;

    private readonly RmsNorm attention_norm, ffn_norm;
    private readonly nn.Module<Tensor, Tensor> attention;
    private readonly SwiGlu feed_forward;

    public PuzzleBlock(int width, nn.Module<Tensor, Tensor> attention) : base(nameof(PuzzleBlock))
    {
        attention_norm = new RmsNorm(width, NormEpsilon);
        ffn_norm = new RmsNorm(width, NormEpsilon);
        this.attention = attention;
        feed_forward = new SwiGlu(width, FfnMultiple * width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        using var scope = NewDisposeScope();
        h = h + attention.forward(attention_norm.forward(h));
        return (h + feed_forward.forward(ffn_norm.forward(h))).MoveToOuterDisposeScope();
    }
}

/// <summary>Multi-head attention of every position to every position of the grid (optionally causal in reading order).</summary>
internal sealed class FullAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv, output;
    private readonly int _heads;
    private readonly bool _causal;

    public FullAttention(int width, int heads, bool causal) : base(nameof(FullAttention))
    {
        qkv = nn.Linear(width, 3 * width, hasBias: false);
        output = nn.Linear(width, width, hasBias: false);
        _heads = heads;
        _causal = causal;
        RegisterComponents();
    }

    public override Tensor forward(Tensor h) // (B, H, W, C) → (B, H, W, C)
    {
        using var scope = NewDisposeScope();
        long b = h.shape[0], rows = h.shape[1], cols = h.shape[2], c = h.shape[3], n = rows * cols, d = c / _heads;
        Tensor[] parts = qkv.forward(h.reshape(b, n, c)).view(b, n, 3, _heads, d).permute(2, 0, 3, 1, 4).unbind(0);   // 3 × (B, heads, N, d)
        Tensor attended = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2], is_casual: _causal);
        Tensor merged = attended.transpose(1, 2).reshape(b, rows, cols, c);
        return output.forward(merged).MoveToOuterDisposeScope();
    }
}
