using Isrm.Model.Tasks.Text;

namespace Isrm.Model.Training;

/// <summary>
/// Trains an ISRM (K sampled per batch, truncated backprop, the whitepaper's losses) or the plain transformer
/// baseline with the same blocks, on corpus windows or on generated instances of a text task (<see cref="IBatchSource"/>). The run folder is always a valid checkpoint: it is saved at the start, every
/// SaveEvery steps, on Ctrl-C and at the end, atomically; resume restores weights, optimizer, schedule and data position.
/// </summary>
public sealed class Trainer : ITrainingRun, IDisposable
{
    public const string StateFile = RunState<TrainingOptions>.File;
    public const string OptimizerFile = "optimizer.bin";
    public const string SplitFile = "split.json";
    public const string MetricsFile = TrainingLoop.MetricsFile;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly IsrmModel _model;
    private readonly TrainingOptions _options;
    private readonly ITextTokenizer _tokenizer;
    private readonly CorpusSplit? _split;                 // corpus runs only
    private readonly IBatchSource _train;
    private readonly TokenWindows? _validation;           // corpus runs only
    private readonly TextTaskBatches? _task;              // text-task runs only
    private readonly List<(int Size, string[] Prompts)> _taskValidation = new();
    private readonly TorchSharp.Modules.AdamW _optimizer;
    private readonly FlopCounter _flops;
    private readonly string _command, _corpusHash;
    private readonly Device _device;
    private readonly WeightAverage? _average;
    private RunState<TrainingOptions> _state;

    private Trainer(IsrmModel model, TrainingOptions options, ITextTokenizer tokenizer, CorpusSplit? split, Corpus? corpus, RunState<TrainingOptions> state)
    {
        _model = model;
        _options = options;
        _tokenizer = tokenizer;
        _split = split;
        _state = state;
        _command = state.Command;
        _device = model.Device;
        if (corpus is not null && split is not null)
        {
            var (trainDocs, validationDocs) = corpus.Partition(split);
            _train = new TokenWindows(trainDocs, tokenizer, options.Context);
            _validation = new TokenWindows(validationDocs, tokenizer, options.Context);
            _corpusHash = HashCorpus(corpus);
        }
        else
        {
            ITextTask task = TextTasks.Parse(options.Task);
            _train = _task = new TextTaskBatches(task, options.TrainSizes, model.Config);
            _corpusHash = "";
            // Fixed validation instances at the largest training size and twice it (when that fits the context).
            var random = new Random(unchecked(options.Seed * 7919 + 0x7a5c));
            int largest = options.TrainSizes.Max();
            foreach (int size in new[] { largest, 2 * largest })
            {
                string[] prompts = Enumerable.Range(0, 64).Select(_ => task.Prompt(random, size)).ToArray();
                if (prompts.Max(p => task.Sequence(p).Length) <= model.Config.MaxContext) _taskValidation.Add((size, prompts));
            }
        }
        _flops = new FlopCounter(model, options.Context);
        _optimizer = optim.AdamW(model.parameters(), lr: options.LearningRate, beta1: 0.9, beta2: 0.95, weight_decay: options.WeightDecay);
        if (options.EmaDecay > 0) _average = new WeightAverage(model, options.EmaDecay);
        ChoosePrecision();
    }

    private void ChoosePrecision()
    {
        if (_options.Precision == "fp32") return;
        if (_device.type != DeviceType.CPU)
        {
            UsesBFloat16 = true;
            PrecisionNote = "Training in bf16 mixed precision (float32 master weights).";
            return;
        }
        var (usable, reason) = MixedPrecision.ProbeBFloat16();
        UsesBFloat16 = usable;
        PrecisionNote = usable
            ? $"Training in bf16 mixed precision (float32 master weights): {reason}."
            : $"Training in fp32 instead of bf16: {reason}.";
    }

    public IsrmModel Model => _model;

    /// <summary>True when matmuls run in bfloat16 (mixed precision); see <see cref="PrecisionNote"/> for why or why not.</summary>
    public bool UsesBFloat16 { get; private set; }

    /// <summary>One sentence on the precision in use, e.g. a fallback to fp32; null when fp32 was asked for.</summary>
    public string? PrecisionNote { get; private set; }
    /// <summary>Progress so far (step = number of optimizer steps done).</summary>
    public RunState<TrainingOptions> State => _state;

    /// <summary>The step count a resumed run was planned with, when --steps changed it (its schedule now ends later).</summary>
    public int? ExtendedFrom { get; private set; }

    /// <summary>Starts a new run in options.Out; refuses to overwrite an existing checkpoint (use Resume).</summary>
    public static Trainer Start(IsrmConfig config, TrainingOptions options, string command)
    {
        options.Validate();
        if (File.Exists(Path.Combine(options.Out, StateFile)))
            throw new ArgumentException($"{options.Out} already holds a training run; pass --resume to continue it or choose another --out.");
        torch.set_num_threads(options.Threads);
        if (options.Task is not null) return StartTask(config, options, command);
        Corpus corpus = Corpus.Load(options.Corpus);
        ITextTokenizer tokenizer = options.Tokenizer == "bytes" ? new ByteTokenizer() : TokenizerStore.Load(options.Tokenizer);
        config = config with { VocabSize = tokenizer.VocabSize, MaxContext = Math.Max(config.MaxContext, options.Context) };
        torch.manual_seed(options.Seed);
        var model = new IsrmModel(config);
        model.to(ComputeDevice.Parse(options.Device));
        var trainer = new Trainer(model, options, tokenizer, corpus.Split(options.Seed, options.ValidationFraction), corpus,
            new RunState<TrainingOptions>(0, 0, 0, 0, options, command));
        trainer.Save();
        return trainer;
    }

    private static Trainer StartTask(IsrmConfig config, TrainingOptions options, string command)
    {
        ITextTask task = TextTasks.Parse(options.Task);
        if (options.Tokenizer != "bytes") throw new ArgumentException("text tasks train on bytes: leave --tokenizer at bytes.");
        var tokenizer = new ByteTokenizer();
        var draw = new Random(0);   // the longest row among a few instances of each size (prompts vary in length)
        int longest = options.TrainSizes.Max(s => Enumerable.Range(0, 64).Max(_ => task.Sequence(task.Prompt(draw, s)).Length));
        options = options with { Context = Math.Max(2, longest) };   // the longest training row, for FLOP counts
        config = config with { Task = task.Name, VocabSize = tokenizer.VocabSize, MaxContext = Math.Max(config.MaxContext, longest) };   // config.json names the task
        torch.manual_seed(options.Seed);
        var model = new IsrmModel(config);
        model.to(ComputeDevice.Parse(options.Device));
        var trainer = new Trainer(model, options, tokenizer, null, null, new RunState<TrainingOptions>(0, 0, 0, 0, options, command));
        trainer.Save();
        return trainer;
    }

    /// <summary>Continues the run saved in <paramref name="outDir"/>; <paramref name="steps"/> may extend it.</summary>
    public static Trainer Resume(string outDir, string command, int? steps = null)
    {
        string statePath = Path.Combine(outDir, StateFile);
        if (!File.Exists(statePath))
            throw new ArgumentException($"{outDir} holds no training run to resume (no {StateFile}); start one without --resume.");
        RunState<TrainingOptions> state = JsonSerializer.Deserialize<RunState<TrainingOptions>>(File.ReadAllText(statePath), Json)
            ?? throw new ArgumentException($"{statePath} is empty.");
        if (steps is int s && s < state.Step)
            throw new ArgumentException($"--steps {s} is below the {state.Step:N0} steps this run has already done; give more, or leave --steps out to finish the plan.");
        TrainingOptions options = state.Options with { Out = outDir, Steps = steps ?? state.Options.Steps };
        options.Validate();
        torch.set_num_threads(options.Threads);
        LoadedCheckpoint checkpoint = Checkpoint.Load(outDir, ComputeDevice.Parse(options.Device));
        checkpoint.Model.train();
        Corpus? corpus = options.Task is null ? Corpus.Load(options.Corpus) : null;
        CorpusSplit? split = options.Task is null ? CorpusSplit.Load(Path.Combine(outDir, SplitFile)) : null;
        var trainer = new Trainer(checkpoint.Model, options, checkpoint.Tokenizer, split, corpus,
            state with { Options = options, Command = state.Command + " && " + command });
        trainer._optimizer.load_state_dict(Path.Combine(outDir, OptimizerFile));
        if (options.Steps != state.Options.Steps) trainer.ExtendedFrom = state.Options.Steps;
        // The folder's weights are the average (what every reader uses); the trained weights continue from the raw file.
        trainer._average?.LoadRaw(Path.Combine(outDir, WeightAverage.RawFile));
        return trainer;
    }

    /// <summary>Trains until Steps (or <paramref name="stopAfter"/> more steps, or cancellation, which saves first).</summary>
    public TrainingOutcome Run(Action<TrainingProgress>? progress = null, CancellationToken cancellation = default, int? stopAfter = null)
    {
        _model.train();
        return TrainingLoop.Run(this, _state.ElapsedSec, progress, cancellation, stopAfter);
    }

    // The loop's view of this run (ITrainingRun).
    int ITrainingRun.Step => _state.Step;
    int ITrainingRun.Steps => _options.Steps;
    int ITrainingRun.SaveEvery => _options.SaveEvery;
    int ITrainingRun.EvalEvery => _options.EvalEvery;
    double? ITrainingRun.MaxMinutes => null;
    string ITrainingRun.Out => _options.Out;

    TrainingProgress ITrainingRun.TrainStep(double seconds, double sessionSeconds, int sessionSteps) => TrainStep(seconds, sessionSteps, sessionSeconds);

    TrainingProgress ITrainingRun.Evaluate(TrainingProgress line) =>
        _task is null ? line with { ValLoss = Validate(_options.EvalK) } : ValidateTask(line);

    void ITrainingRun.Save(double seconds, TrainingProgress? line)
    {
        _state = _state with { ElapsedSec = seconds };
        Save(line?.ValLoss);
    }

    private TrainingProgress TrainStep(double elapsed, int sessionSteps, double sessionSeconds)
    {
        int step = _state.Step;
        using var scope = NewDisposeScope();
        // Data, K and any random initial state depend only on (seed, step): resuming replays them exactly.
        // (HashCode.Combine would differ per process: its seed is randomised at start-up.)
        var random = new Random(unchecked(_options.Seed * 1_000_003 + step * 7919 + 0x15e3));
        torch.manual_seed(_options.Seed * 1_000_003L + step);
        double lr = LearningRateSchedule.At(_options, step);
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr;
        // Gradients go to None, not zero (PyTorch's default): a parameter the step does not reach (y0 when K exceeds the
        // gradient window) is then left alone by AdamW whether or not it had a gradient before — which a resumed run,
        // whose fresh parameters never had one, could not otherwise reproduce.
        _model.zero_grad(set_to_none: true);

        var sums = new LossTerms();
        int k = 0;
        int? size = null;
        double flops = 0;
        long tokens = 0;
        for (int micro = 0; micro < _options.GradientAccumulation; micro++)
        {
            using var microScope = NewDisposeScope();
            TrainingBatch batch;
            if (_task is null)
            {
                k = _model.Config.IsSinglePass ? 1 : KSampler.Sample(_options, random, step);
                batch = _train.Next(_options.BatchSize, random, _device);
            }
            else
            {
                // A task batch has one size, and its K is tied to that size.
                batch = _train.Next(_options.BatchSize, random, _device);
                size = batch.Size;
                k = _model.Config.IsSinglePass ? 1 : KSampler.ForSize(_options, batch.Size!.Value, random);
            }
            LossTerms terms;
            using (UsesBFloat16 ? MixedPrecision.Enable() : null) terms = Forward(batch, k);
            (terms.Total! / _options.GradientAccumulation).backward();
            sums = sums.Add(terms.Detached(), _options.GradientAccumulation);
            int gradSteps = _options.BackpropSteps > 0 ? _options.BackpropSteps : k;
            flops += _flops.Training(batch.Inputs.numel(), k, gradSteps, terms.LogitSteps);
            tokens += batch.Inputs.numel();
        }
        double gradNorm = OptimizerStep.Apply(_optimizer, _model.parameters(), _options.GradientClip);
        if (double.IsFinite(gradNorm)) _average?.Update(step);

        _state = _state with { Step = step + 1, Tokens = _state.Tokens + tokens, Flops = _state.Flops + flops };
        double sessionTokens = (double)tokens * sessionSteps;
        return new TrainingProgress
        {
            Step = _state.Step, Steps = _options.Steps, TrainLoss = sums.CrossEntropy, TotalLoss = sums.TotalValue,
            Monotonic = sums.MonotonicValue, Convergence = sums.ConvergenceValue, Ponder = sums.PonderValue,
            DeepSupervision = sums.DeepValue, Lr = lr, K = k, GradNorm = gradNorm, Tokens = _state.Tokens,
            Flops = _state.Flops, ElapsedSec = elapsed, TokensPerSec = sessionTokens / Math.Max(1e-9, sessionSeconds),
            Size = size,
        };
    }

    private LossTerms Forward(TrainingBatch batch, int k)
    {
        Tensor inputs = batch.Inputs, targets = batch.Targets;
        // Mean over the positions that count: all of them for corpus windows, the answers for a task.
        Tensor Mean(Tensor perPosition) => batch.LossMask is { } m ? (perPosition * m).sum() / m.sum() : perPosition.mean();
        int gradSteps = _options.BackpropSteps > 0 ? Math.Min(_options.BackpropSteps, k) : k;
        bool perStep = _options.MonotonicWeight > 0 || _options.PonderWeight > 0 || _options.DeepSupervisionSteps > 0;
        var options = new RefinementOptions
        {
            K = k, EveryStepLogits = perStep, GradientSteps = gradSteps,
            StepNorms = false, StepHalt = _options.PonderWeight > 0,
        };
        Tensor flatTargets = targets.reshape(-1);
        var stepLosses = new List<Tensor>();      // per-position CE (B, T) of each step in the gradient window
        var halts = new List<Tensor>();
        var deltas = new List<Tensor>();
        Tensor? final = null, previousY = null;
        int logitSteps = 0;
        foreach (RefinementStep step in Refiner.Run(_model, _model.Embed(inputs), options, layout: batch.Layout))
        {
            bool inWindow = k - step.Step < gradSteps;
            if (inWindow && step.LogProbs is not null)
            {
                logitSteps++;
                Tensor perPosition = nn.functional.nll_loss(step.LogProbs.reshape(-1, _model.Config.VocabSize), flatTargets, reduction: nn.Reduction.None)
                    .reshape(targets.shape);
                stepLosses.Add(perPosition);
                if (step.Halt is not null) halts.Add(step.Halt.alias());
                if (step.IsLast) final = Mean(perPosition);
            }
            else if (step.IsLast)
            {
                logitSteps++;
                final = batch.LossMask is null
                    ? nn.functional.nll_loss(step.LogProbs!.reshape(-1, _model.Config.VocabSize), flatTargets)
                    : Mean(nn.functional.nll_loss(step.LogProbs!.reshape(-1, _model.Config.VocabSize), flatTargets, reduction: nn.Reduction.None).reshape(targets.shape));
            }
            if (inWindow && _options.ConvergenceWeight > 0 && previousY is not null)
                deltas.Add((step.Y - previousY).pow(2).sum(-1).sqrt().mean());
            previousY = step.Y.alias();
        }

        var terms = new LossTerms { CrossEntropyTensor = final!, LogitSteps = logitSteps };
        Tensor total = final!;
        var means = stepLosses.Select(Mean).ToList();
        if (_options.DeepSupervisionSteps > 0 && means.Count > 1)
        {
            Tensor deep = stack(means.Take(means.Count - 1).TakeLast(_options.DeepSupervisionSteps).ToArray()).mean();
            total = total + _options.DeepSupervisionWeight * deep;
            terms = terms with { Deep = deep };
        }
        if (_options.MonotonicWeight > 0 && means.Count > 1)
        {
            Tensor monotonic = RefinementLosses.Monotonic(means);
            total = total + _options.MonotonicWeight * monotonic;
            terms = terms with { Monotonic = monotonic };
        }
        if (_options.ConvergenceWeight > 0 && deltas.Count > 1)
        {
            Tensor convergence = RefinementLosses.Convergence(deltas);
            total = total + _options.ConvergenceWeight * convergence;
            terms = terms with { Convergence = convergence };
        }
        if (_options.PonderWeight > 0 && stepLosses.Count > 0)
        {
            Tensor ponder = RefinementLosses.PonderExpected(stepLosses, halts);
            total = total + _options.PonderWeight * ponder;
            terms = terms with { Ponder = ponder };
        }
        return terms with { Total = total };
    }

    /// <summary>Validation cross-entropy (nats/token) at K, on fixed windows; no penalty terms.</summary>
    public double Validate(RefinementDepth k)
    {
        if (_validation is null) throw new InvalidOperationException("a text-task run validates by exact match, not on corpus windows");
        using IDisposable? averaged = _average?.Swapped();   // with --ema, validation reads the averaged weights
        _model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (inputs, targets) = _validation!.Fixed(_options.EvalWindows, _device);
            var options = new RefinementOptions
            {
                K = k, EveryStepLogits = false,
                StepNorms = false, StepHalt = false,
            };
            double total = 0;
            long count = 0;
            for (long start = 0; start < inputs.shape[0]; start += 16)
            {
                long n = Math.Min(16, inputs.shape[0] - start);
                Tensor x = _model.Embed(inputs.narrow(0, start, n)), y = targets.narrow(0, start, n);
                foreach (RefinementStep step in Refiner.Run(_model, x, options))
                    if (step.IsLast)
                        total += nn.functional.nll_loss(step.LogProbs!.reshape(-1, _model.Config.VocabSize), y.reshape(-1), reduction: nn.Reduction.Sum).item<float>();
                count += y.numel();
            }
            return total / count;
        }
        finally { _model.train(); }
    }

    /// <summary>
    /// Text tasks: exact match on the fixed validation instances of each size at that size's largest training K, and the
    /// answer tokens' cross-entropy at the largest training size as ValLoss.
    /// </summary>
    private TrainingProgress ValidateTask(TrainingProgress line)
    {
        using IDisposable? averaged = _average?.Swapped();
        _model.eval();
        try
        {
            var exact = new Dictionary<string, double>();
            double? loss = null;
            foreach (var (size, prompts) in _taskValidation)
            {
                int k = KSampler.ForSize(_options, size);
                var (solved, answerLoss) = TextTaskEvaluator.Score(_model, _task!.Task, prompts, k);
                exact[$"{size}@{k}"] = solved;
                loss ??= answerLoss;
            }
            return line with { ValLoss = loss, ValExact = exact };
        }
        finally { _model.train(); }
    }

    private void Save(double? valLoss = null)
    {
        var metrics = new Dictionary<string, double>();
        if (valLoss is double v) metrics["valLoss"] = v;
        var metadata = new CheckpointMetadata
        {
            Command = _command, Corpus = _task is null ? Path.GetFullPath(_options.Corpus) : "", CorpusHash = _corpusHash, Tokenizer = _tokenizer.Kind,
            Task = _task?.Task.Name,
            Step = _state.Step, TokensSeen = _state.Tokens, Flops = _state.Flops, Metrics = metrics,
            Notes = _split is not null
                ? new()
                {
                    ["validationDocuments"] = string.Join(",", _split.Validation), ["evalK"] = _options.EvalK.ToString(),
                    [CheckpointMetadata.TrainingContextNote] = _options.Context.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }
                : new() { ["trainSizes"] = string.Join(",", _options.TrainSizes), ["k"] = $"ceil(size * {_options.KPerSize}) + 0..{_options.KExtra}" },
        };
        string metricsPath = Path.Combine(_options.Out, MetricsFile);
        using IDisposable? averaged = _average?.Swapped();   // the folder's weights are the average; raw ones go beside
        Checkpoint.Save(_options.Out, _model, _tokenizer, metadata, folder =>
        {
            _average?.SaveRaw(Path.Combine(folder, WeightAverage.RawFile));
            _optimizer.save_state_dict(Path.Combine(folder, OptimizerFile));
            File.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(_state, Json));
            _split?.Save(Path.Combine(folder, SplitFile));
            if (File.Exists(metricsPath)) File.Copy(metricsPath, Path.Combine(folder, MetricsFile));
        });
    }

    private static string HashCorpus(Corpus corpus)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (CorpusDocument d in corpus.Documents)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(d.Id + "\n"));
            sha.AppendData(Encoding.UTF8.GetBytes(d.Text));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    public void Dispose()
    {
        _average?.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
