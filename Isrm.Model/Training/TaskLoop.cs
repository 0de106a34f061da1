using System.Diagnostics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Isrm.Model.Training;

/// <summary>
/// The optimisation loop the task trainers share (recall and compression training in Isrm.Research):
/// AdamW (β 0.9/0.95, decay 0.01), linear warm-up then constant, gradient clip 1; stops at a step cap or a wall-time
/// cap, whichever comes first. A non-finite loss or gradient stops it before the step is applied, so the weights stay
/// the last finite ones, and the outcome says so.
/// </summary>
public static class TaskLoop
{
    /// <summary>Optimizer steps done, wall seconds, the mean loss of the last 50 steps, and whether training stopped on a non-finite loss or gradient.</summary>
    public sealed record Outcome(int Steps, double Seconds, double FinalLoss, bool Diverged);

    /// <summary><paramref name="loss"/> draws one batch from the seeded random and returns its loss (with gradients).</summary>
    public static Outcome Run(IReadOnlyList<Parameter> parameters, Func<Random, Tensor> loss, int steps, double minutes, double learningRate, int warmup, int seed,
        Action<int, double>? progress = null)
    {
        TorchSharp.torch.manual_seed(seed);
        var random = new Random(seed);
        using var optimizer = optim.AdamW(parameters, lr: learningRate, beta1: 0.9, beta2: 0.95, weight_decay: 0.01);
        var clock = Stopwatch.StartNew();
        var recent = new Queue<double>();
        int step = 0;
        bool diverged = false;
        while (step < steps && clock.Elapsed.TotalMinutes < minutes)
        {
            using var scope = NewDisposeScope();
            Tensor value = loss(random);
            double item = value.item<float>();
            if (!double.IsFinite(item))
            {
                diverged = true;
                break;
            }
            foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate * Math.Min(1.0, (step + 1.0) / warmup);
            optimizer.zero_grad();
            value.backward();
            if (!double.IsFinite(nn.utils.clip_grad_norm_(parameters, 1.0)))
            {
                diverged = true;
                break;
            }
            optimizer.step();
            recent.Enqueue(item);
            if (recent.Count > 50) recent.Dequeue();
            step++;
            progress?.Invoke(step, item);
        }
        return new Outcome(step, clock.Elapsed.TotalSeconds, recent.Count == 0 ? double.NaN : recent.Average(), diverged);
    }
}
