namespace Isrm.Research.Training;

/// <summary>
/// Trains a model of any family on <see cref="AssociativeRecall"/>: every batch draws N from <see cref="Pairs"/>;
/// cross-entropy on the values after the queries only, in the shared <see cref="TaskLoop"/>.
/// </summary>
public sealed record RecallTraining(IReadOnlyList<int> Pairs, int Steps = 100_000, double Minutes = 10, int Batch = 32,
    double LearningRate = 3e-3, int Warmup = 100, int Seed = 1)
{
    public TaskLoop.Outcome Run(IsrmModel model, AssociativeRecall task, Action<int, double>? progress = null)
    {
        if (Pairs.Count == 0) throw new ArgumentException("give at least one number of pairs to train on.");
        int k = model.Config.Ticks;   // the engine applies a single-pass model once
        model.train();
        var outcome = TaskLoop.Run(model.parameters().ToList(), random =>
        {
            int pairs = Pairs[random.Next(Pairs.Count)];
            var (inputs, targets) = task.Sample(pairs, Batch, random);
            long t = task.Length(pairs) - 1;
            Tensor x = tensor(inputs, new[] { (long)Batch, t }, device: model.Device);
            Tensor y = tensor(targets, new[] { (long)Batch, t }, device: model.Device);
            Tensor logProbs = AssociativeRecall.LogProbsWithGrad(model, x, k);                       // (B, T, V)
            Tensor flat = y.reshape(-1), scored = flat.ne(AssociativeRecall.Ignore).nonzero().squeeze(-1);   // the answers only
            return nn.functional.nll_loss(logProbs.reshape(-1, task.VocabSize).index_select(0, scored), flat.index_select(0, scored));
        }, Steps, Minutes, LearningRate, Warmup, Seed, progress);
        model.eval();
        return outcome;
    }
}
