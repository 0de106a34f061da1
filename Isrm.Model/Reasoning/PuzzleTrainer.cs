namespace Isrm.Model.Reasoning;

/// <summary>
/// Trains a puzzle network on fresh generated instances every batch, with the Deep-Thinking recipe: input re-injected
/// every step, a random number of steps, and the progressive loss (n ~ U[0, m) steps without gradient, then
/// k ~ U[1, m − n] with it, loss on the last); a non-recurrent network (<see cref="PuzzleNetwork.Recurrent"/>) trains
/// with exactly one step. Runs in the one <see cref="TrainingLoop"/> (cadence, time budget, metrics.jsonl, the
/// optimizer step with its clipping and non-finite skip) and saves the one resume format (<see cref="RunState{TOptions}"/>
/// in trainer.json) atomically every SaveEvery steps, at the end and when cancelled; resume restores weights,
/// optimizer, step and elapsed time (batches are a pure function of seed and step).
/// </summary>
public sealed class PuzzleTrainer : ITrainingRun, IDisposable
{
    /// <summary>The resume file of runs made before the one training loop (options only); such a run still resumes.</summary>
    public const string LegacyOptionsFile = "training.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly PuzzleTrainingOptions _options;
    private readonly PuzzleSource _source;
    private readonly TorchSharp.Modules.AdamW _optimizer;
    private readonly string _command;
    private double _secondsBefore;

    public PuzzleNetwork Network { get; }
    public int Step { get; private set; }
    public long InstancesSeen { get; private set; }
    public PuzzleTrainingOptions Options => _options;

    /// <summary>Training time of the run before this session (a resumed run's --minutes budget counts it).</summary>
    public double SecondsBefore => _secondsBefore;

    private PuzzleTrainer(PuzzleNetwork network, PuzzleTrainingOptions options, string command)
    {
        Network = network;
        _options = options;
        _command = command;
        _source = options.Source(network.Config.PuzzleTask);
        _optimizer = optim.AdamW(network.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);
    }

    public static PuzzleTrainer Start(PuzzleNetConfig config, PuzzleTrainingOptions options, string command)
    {
        config.Validate();
        options.Validate(config.PuzzleTask);
        manual_seed(options.Seed);
        var trainer = new PuzzleTrainer(PuzzleNetwork.Create(config), options, command);
        trainer.Save(0);   // like a text run, the folder is a valid checkpoint (step 0) from the start
        return trainer;
    }

    /// <summary>Continues the run saved in <paramref name="directory"/>; <paramref name="steps"/> may extend it.</summary>
    public static PuzzleTrainer Resume(string directory, string command, int? steps = null, double? maxMinutes = null)
    {
        string statePath = Path.Combine(directory, RunState<PuzzleTrainingOptions>.File), legacyPath = Path.Combine(directory, LegacyOptionsFile);
        if (!File.Exists(statePath) && !File.Exists(legacyPath))
            throw new CheckpointException($"'{directory}' holds no {RunState<PuzzleTrainingOptions>.File}: it was not written by isrm train --task.");
        LoadedPuzzleCheckpoint loaded = PuzzleCheckpoint.Load(directory);
        var options = File.Exists(statePath)
            ? JsonSerializer.Deserialize<RunState<PuzzleTrainingOptions>>(File.ReadAllText(statePath), Json)!.Options
            : JsonSerializer.Deserialize<PuzzleTrainingOptions>(File.ReadAllText(legacyPath), Json)!;   // step and seconds are in the metadata
        if (steps is int s && s < loaded.Metadata.Step)
            throw new ArgumentException($"--steps {s} is below the {loaded.Metadata.Step:N0} steps this run has already done; give more, or leave --steps out to finish the plan.");
        options = options with { Out = directory, Steps = steps ?? options.Steps, MaxMinutes = maxMinutes ?? options.MaxMinutes };
        var trainer = new PuzzleTrainer(loaded.Network, options, loaded.Metadata.Command + " ; " + command)
        {
            Step = (int)loaded.Metadata.Step,
            InstancesSeen = loaded.Metadata.TokensSeen,
            _secondsBefore = loaded.Metadata.Metrics.GetValueOrDefault("trainSeconds"),
        };
        loaded.Network.train();
        string optimizerPath = Path.Combine(directory, PuzzleCheckpoint.OptimizerFile);
        if (File.Exists(optimizerPath)) trainer._optimizer.load_state_dict(optimizerPath);
        return trainer;
    }

    /// <summary>Trains until Steps or MaxMinutes (Completed), cancellation (Interrupted) or a non-finite loss (Diverged); saved in every case.</summary>
    public TrainingOutcome Run(Action<TrainingProgress> progress, CancellationToken cancellation)
    {
        Network.train();
        return TrainingLoop.Run(this, _secondsBefore, progress, cancellation);
    }

    // The loop's view of this run (ITrainingRun).
    int ITrainingRun.Steps => _options.Steps;
    int ITrainingRun.SaveEvery => _options.SaveEvery;
    int ITrainingRun.EvalEvery => 0;
    double? ITrainingRun.MaxMinutes => _options.MaxMinutes;
    string ITrainingRun.Out => _options.Out;
    TrainingProgress ITrainingRun.Evaluate(TrainingProgress line) => line;
    void ITrainingRun.Save(double seconds, TrainingProgress? line) => Save(seconds);

    TrainingProgress ITrainingRun.TrainStep(double seconds, double sessionSeconds, int sessionSteps)
    {
        var (loss, accuracy, solved, size, iterations, lr, norm) = TrainStep(seconds);
        Step++;
        return new TrainingProgress
        {
            Step = Step, Steps = _options.Steps, TrainLoss = loss, TotalLoss = loss, Accuracy = accuracy, Solved = solved,
            Size = size, K = iterations, Lr = lr, GradNorm = norm, Tokens = InstancesSeen,
            TokensPerSec = (double)_options.Batch * sessionSteps / Math.Max(1e-9, sessionSeconds),
        };
    }

    private (double Loss, double Accuracy, double Solved, int Size, int Iterations, double Lr, double Norm) TrainStep(double seconds)
    {
        var random = new Random(SeededStart.Stream(_options.Seed, Step));   // the same batches in every process: a resume replays them
        int size = DrawSize(random, seconds);
        var puzzles = new Puzzle[_options.Batch];
        for (int i = 0; i < puzzles.Length; i++) puzzles[i] = _source.Generate(size, random);
        int m = Network.Recurrent ? _options.MaxIterations : 1, n = random.Next(m), k = 1 + random.Next(m - n);
        int quarterTurns = random.Next(4);
        bool mirror = random.Next(2) == 1;

        using var scope = NewDisposeScope();
        var (x, target) = PuzzleTensors.Build(puzzles, Network.Device);
        if (_options.Augment) (x, target) = Network.Config.PuzzleTask.Transform(x, target, quarterTurns, mirror);
        double lr = LearningRate(seconds);
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr;
        // Gradients go to None (PyTorch's default): a parameter this step does not reach (the start state's projection
        // when the gradient window is shorter than the run) is left alone by AdamW, as it is after a resume.
        Network.zero_grad(set_to_none: true);
        Tensor logProbs = FinalLogProbs(x, n + k, k);
        double alpha = Network.Recurrent ? _options.Alpha : 1;   // one step: the progressive loss is the whole loss
        Tensor loss = nn.functional.nll_loss(logProbs.reshape(-1, 2), target.reshape(-1)) * alpha;
        if (alpha < 1)
            loss = loss + nn.functional.nll_loss(FinalLogProbs(x, m, m).reshape(-1, 2), target.reshape(-1)) * (1 - _options.Alpha);
        loss.backward();
        double norm = OptimizerStep.Apply(_optimizer, Network.parameters(), _options.GradientClip);
        InstancesSeen += puzzles.Length;
        using (no_grad())
        {
            Tensor correct = logProbs.argmax(-1).eq(target);                        // (B, N)
            return (loss.item<float>(), correct.to(ScalarType.Float32).mean().item<float>(),
                correct.all(1).to(ScalarType.Float32).mean().item<float>(), size, n + k, lr, norm);
        }
    }

    private Tensor FinalLogProbs(Tensor x, int steps, int gradientSteps)
    {
        var options = new RefinementOptions { K = steps, EveryStepLogits = false, GradientSteps = gradientSteps };
        Tensor? last = null;
        foreach (RefinementStep step in Refiner.Run(Network, x, options))
            if (step.IsLast) last = step.LogProbs!.alias().MoveToOuterDisposeScope();
        return last!;
    }

    // Like the learning rate, the curriculum follows whichever of steps and the time budget runs out first.
    private int DrawSize(Random random, double seconds)
    {
        List<int> sizes = _options.Sizes;
        if (_options.Curriculum <= 0) return sizes[random.Next(sizes.Count)];
        double progress = Math.Min(1, Step / (_options.Curriculum * _options.Steps));
        if (_options.MaxMinutes is double budget) progress = Math.Max(progress, Math.Min(1, seconds / (_options.Curriculum * budget * 60)));
        int lo = sizes.Min(), hi = sizes.Max();
        int limit = lo + (int)Math.Round(progress * (hi - lo));
        int[] allowed = sizes.Where(s => s <= limit).ToArray();
        return allowed[random.Next(allowed.Length)];
    }

    // Warmup, then cosine decay to 10 %; with a time budget the decay follows whichever of steps and time runs out first,
    // so a run on a busy machine still ends at the low learning rate.
    // The one schedule, decaying to 0.1 · lr by steps or by the time budget, whichever has gone further.
    private double LearningRate(double seconds) =>
        LearningRateSchedule.At(_options.LearningRate, Step, _options.WarmupSteps, _options.Steps, floorRatio: 0.1,
            _options.MaxMinutes is double budget ? seconds / (budget * 60) : 0);

    private void Save(double seconds)
    {
        var metadata = new CheckpointMetadata
        {
            Command = _command,
            Corpus = $"generated {Network.Config.Task}: sizes {string.Join(',', _options.Sizes)}"
                + (_source.Task.Variants.Count > 0 ? $", {_source.Task.VariantLabel.ToLowerInvariant()}s {string.Join(',', _source.Mix)}" : ""),
            Tokenizer = "none",
            Step = Step,
            TokensSeen = InstancesSeen,
            Metrics = new() { ["trainSeconds"] = Math.Round(seconds, 1) },
            Notes = new() { ["instancesSeen"] = "tokensSeen counts training instances", ["seed"] = _options.Seed.ToString() },
        };
        var state = new RunState<PuzzleTrainingOptions>(Step, InstancesSeen, 0, Math.Round(seconds, 1), _options, _command);
        string metricsPath = Path.Combine(_options.Out, TrainingLoop.MetricsFile);
        PuzzleCheckpoint.Save(_options.Out, Network, metadata, folder =>
        {
            _optimizer.save_state_dict(Path.Combine(folder, PuzzleCheckpoint.OptimizerFile));
            File.WriteAllText(Path.Combine(folder, RunState<PuzzleTrainingOptions>.File), JsonSerializer.Serialize(state, Json));
            if (File.Exists(metricsPath)) File.Copy(metricsPath, Path.Combine(folder, TrainingLoop.MetricsFile));
        });
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        Network.Dispose();
    }
}
