using System.Diagnostics;
using Isrm.Model.Evaluation;
using Isrm.Model.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Isrm.Model.Training;

/// <summary>
/// Trains a model of any family on <see cref="AssociativeRecall"/>: every batch draws N from <see cref="Pairs"/>;
/// cross-entropy on the values after the queries only; AdamW (β 0.9/0.95, decay 0.01), linear warm-up then constant,
/// gradient clip 1. Stops at <see cref="Steps"/> or after <see cref="Minutes"/> of wall time, whichever comes first.
/// </summary>
public sealed record RecallTraining(IReadOnlyList<int> Pairs, int Steps = 100_000, double Minutes = 10, int Batch = 32,
    double LearningRate = 3e-3, int Warmup = 100, int Seed = 1)
{
    /// <summary>Optimizer steps done, wall seconds, the mean loss of the last 50 steps (nats per query), and whether training stopped on a non-finite loss.</summary>
    public sealed record Outcome(int Steps, double Seconds, double FinalLoss, bool Diverged = false);

    public Outcome Run(IsrmModel model, AssociativeRecall task, Action<int, double>? progress = null)
    {
        if (Pairs.Count == 0) throw new ArgumentException("give at least one number of pairs to train on.");
        torch.manual_seed(Seed);
        var random = new Random(Seed);
        using var optimizer = optim.AdamW(model.parameters(), lr: LearningRate, beta1: 0.9, beta2: 0.95, weight_decay: 0.01);
        int k = model.Config.IsSinglePass ? 1 : model.Config.Ticks;
        var clock = Stopwatch.StartNew();
        var recent = new Queue<double>();
        int step = 0;
        bool diverged = false;
        model.train();
        while (step < Steps && clock.Elapsed.TotalMinutes < Minutes)
        {
            using var scope = NewDisposeScope();
            int pairs = Pairs[random.Next(Pairs.Count)];
            var (inputs, targets) = task.Sample(pairs, Batch, random);
            long t = task.Length(pairs) - 1;
            Tensor x = tensor(inputs, new[] { (long)Batch, t }, device: model.Device);
            Tensor y = tensor(targets, new[] { (long)Batch, t }, device: model.Device);
            Tensor logProbs = AssociativeRecall.LogProbsWithGrad(model, x, k);                       // (B, T, V)
            Tensor flat = y.reshape(-1), scored = flat.ne(AssociativeRecall.Ignore).nonzero().squeeze(-1);   // the answers only
            Tensor loss = nn.functional.nll_loss(logProbs.reshape(-1, task.VocabSize).index_select(0, scored), flat.index_select(0, scored));
            foreach (var group in optimizer.ParamGroups) group.LearningRate = LearningRate * Math.Min(1.0, (step + 1.0) / Warmup);
            double value = loss.item<float>();
            // A non-finite loss or gradient would poison the weights: stop with the last finite ones, and say so.
            if (!double.IsFinite(value))
            {
                diverged = true;
                break;
            }
            optimizer.zero_grad();
            loss.backward();
            if (!double.IsFinite(nn.utils.clip_grad_norm_(model.parameters(), 1.0)))
            {
                diverged = true;                                                                  // the step is not applied
                break;
            }
            optimizer.step();
            recent.Enqueue(value);
            if (recent.Count > 50) recent.Dequeue();
            step++;
            progress?.Invoke(step, value);
        }
        model.eval();
        return new Outcome(step, clock.Elapsed.TotalSeconds, recent.Count == 0 ? double.NaN : recent.Average(), diverged);
    }
}
