namespace Isrm.Model.Training;

/// <summary>
/// The probes' fine-tunes (recall and compression training in Isrm.Research) in the one <see cref="TrainingLoop"/>:
/// AdamW (β 0.9/0.95, decay 0.01), linear warm-up then constant, gradient clip 1 (<see cref="OptimizerStep"/>); stops
/// at a step cap or a wall-time cap, whichever comes first, and keeps no files. A non-finite loss or gradient stops it
/// before the step is applied, so the weights stay the last finite ones, and the outcome says so.
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
        using var optimizer = optim.AdamW(parameters, lr: learningRate, beta1: 0.9, beta2: 0.95, weight_decay: 0.01);
        var run = new FineTune(parameters, loss, optimizer, steps, minutes, learningRate, warmup, new Random(seed), progress);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TrainingOutcome outcome = TrainingLoop.Run(run, 0, nonFiniteLimit: 1);
        return new Outcome(run.Step, clock.Elapsed.TotalSeconds, run.Recent.Count == 0 ? double.NaN : run.Recent.Average(), outcome == TrainingOutcome.Diverged);
    }

    private sealed class FineTune(
        IReadOnlyList<Parameter> parameters, Func<Random, Tensor> loss, OptimizerHelper optimizer, int steps, double minutes,
        double learningRate, int warmup, Random random, Action<int, double>? progress) : ITrainingRun
    {
        public Queue<double> Recent { get; } = new();
        public int Step { get; private set; }
        public int Steps => steps;
        public int SaveEvery => int.MaxValue;
        public int EvalEvery => 0;
        public double? MaxMinutes => minutes;
        public string? Out => null;

        public TrainingProgress TrainStep(double seconds, double sessionSeconds, int sessionSteps)
        {
            using var scope = NewDisposeScope();
            Tensor value = loss(random);
            double item = value.item<float>();
            if (!double.IsFinite(item)) return new TrainingProgress { Step = Step, Steps = steps, TrainLoss = item };
            double lr = learningRate * Math.Min(1.0, (Step + 1.0) / warmup);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            optimizer.zero_grad();
            value.backward();
            double norm = OptimizerStep.Apply(optimizer, parameters, 1.0);
            if (double.IsFinite(norm))
            {
                Recent.Enqueue(item);
                if (Recent.Count > 50) Recent.Dequeue();
                Step++;
                progress?.Invoke(Step, item);
            }
            return new TrainingProgress { Step = Step, Steps = steps, TrainLoss = item, TotalLoss = item, Lr = lr, GradNorm = norm };
        }

        public TrainingProgress Evaluate(TrainingProgress line) => line;

        public void Save(double seconds, TrainingProgress? line) { }
    }
}
