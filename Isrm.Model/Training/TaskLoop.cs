namespace Isrm.Model.Training;

/// <summary>
/// The fine-tunes of Isrm.Research (recall and compression training, the genre fine-tune) in the one
/// <see cref="TrainingLoop"/>: AdamW (β1 0.9, β2 0.95 unless said, decay 0.01) over one or more parameter groups, each
/// with its own learning rate, linear warm-up then constant, gradient clip 1 over all of them
/// (<see cref="OptimizerStep"/>); stops at a step cap or a wall-time cap, whichever comes first, and keeps no files. A
/// non-finite loss or gradient stops it before the step is applied, so the weights stay the last finite ones, and the
/// outcome says so.
/// </summary>
public static class TaskLoop
{
    /// <summary>Optimizer steps done, wall seconds, the mean loss of the last 50 steps, and whether training stopped on a non-finite loss or gradient.</summary>
    public sealed record Outcome(int Steps, double Seconds, double FinalLoss, bool Diverged);

    /// <summary>Parameters trained at one learning rate (e.g. a pretrained body and a fresh head at ten times its rate).</summary>
    public sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters, double LearningRate);

    /// <summary><paramref name="loss"/> draws one batch from the seeded random and returns its loss (with gradients).</summary>
    public static Outcome Run(IReadOnlyList<Parameter> parameters, Func<Random, Tensor> loss, int steps, double minutes, double learningRate, int warmup, int seed,
        Action<int, double>? progress = null) =>
        Run([new ParameterGroup(parameters, learningRate)], loss, steps, minutes, warmup, seed, progress);

    /// <summary>
    /// As above with several parameter groups; <paramref name="beta2"/> is AdamW's second-moment decay,
    /// <paramref name="reseed"/> false keeps the global generator where the caller left it (after it seeded it and drew
    /// a new head's initial weights, say), and <paramref name="clip"/> is the gradient norm's cap (∞: none, the probes'
    /// heads).
    /// </summary>
    public static Outcome Run(IReadOnlyList<ParameterGroup> groups, Func<Random, Tensor> loss, int steps, double minutes, int warmup, int seed,
        Action<int, double>? progress = null, double beta2 = 0.95, bool reseed = true, double clip = 1.0)
    {
        if (reseed) TorchSharp.torch.manual_seed(seed);
        using var optimizer = optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, beta1: 0.9, beta2: beta2, weight_decay: 0.01)),
            lr: groups[0].LearningRate, beta1: 0.9, beta2: beta2, weight_decay: 0.01);
        var run = new FineTune(groups, loss, optimizer, steps, minutes, warmup, new Random(seed), progress, clip);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TrainingOutcome outcome = TrainingLoop.Run(run, 0, nonFiniteLimit: 1);
        return new Outcome(run.Step, clock.Elapsed.TotalSeconds, run.Recent.Count == 0 ? double.NaN : run.Recent.Average(), outcome == TrainingOutcome.Diverged);
    }

    private sealed class FineTune(
        IReadOnlyList<ParameterGroup> groups, Func<Random, Tensor> loss, OptimizerHelper optimizer, int steps, double minutes,
        int warmup, Random random, Action<int, double>? progress, double clip) : ITrainingRun
    {
        private readonly List<Parameter> _parameters = groups.SelectMany(g => g.Parameters).ToList();

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
            // the one schedule with no decay: warm-up, then each group's own rate
            foreach (var (group, planned) in optimizer.ParamGroups.Zip(groups))
                group.LearningRate = LearningRateSchedule.At(planned.LearningRate, Step, warmup, steps, floorRatio: 1);
            double lr = LearningRateSchedule.At(groups[0].LearningRate, Step, warmup, steps, floorRatio: 1);
            optimizer.zero_grad();
            value.backward();
            double norm = OptimizerStep.Apply(optimizer, _parameters, clip);
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
