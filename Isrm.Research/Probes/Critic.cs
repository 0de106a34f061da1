namespace Isrm.Research.Probes;

/// <summary>
/// The proposal's internal critic (GAN-inspired): a head that scores a candidate continuation from the model's own
/// states over it — trained to tell real text from the model's samples — and reranks candidates by that score.
/// </summary>
public sealed class Critic : nn.Module<Tensor, Tensor>
{
    private readonly Linear score;

    public Critic(int width) : base(nameof(Critic))
    {
        score = nn.Linear(2 * width, 1);
        RegisterComponents();
    }

    /// <summary>states of each candidate's tokens (N, m, D) → realness score (N).</summary>
    public override Tensor forward(Tensor states)
    {
        using var scope = NewDisposeScope();
        Tensor features = cat(new[] { states.mean(new long[] { 1 }), states.select(1, -1) }, -1);   // (N, 2D)
        return score.forward(features).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Index of the best candidate in each group of <paramref name="candidates"/> consecutive scores: (N) → (N / candidates).</summary>
    public static long[] Rerank(Tensor scores, int candidates)
    {
        using var scope = NewDisposeScope();
        return scores.detach().cpu().reshape(-1, candidates).argmax(-1).data<long>().ToArray();
    }
}
