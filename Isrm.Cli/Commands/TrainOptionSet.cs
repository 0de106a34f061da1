namespace Isrm.Cli.Commands;

/// <summary>The options of <c>isrm train</c> and how they map onto <see cref="IsrmConfig"/> and <see cref="TrainingOptions"/>.</summary>
internal sealed class TrainOptionSet
{
    private static readonly TrainingOptions Defaults = new();

    public Option<string> Corpus { get; } = CliOptions.Path("--corpus", "Corpus folder of .txt files (e.g. data-cache/brown from 'isrm data brown')", PathKind.InputFolder);
    public Option<string> Out { get; } = CliOptions.Path("--out", "Run and checkpoint folder to write (an existing one only with --resume or --force)", PathKind.OutputFolder);
    public Option<string?> Config { get; } = CliOptions.OptionalPath("--config", "Model config JSON (IsrmConfig); the options below override it", PathKind.InputFile);
    public Option<string?> Family { get; } = CliOptions.OptionalText("--family", "isrm | transformer | rlm | rlt | gated-rlt");
    public Option<int> Steps { get; } = CliOptions.Int("--steps", "Optimizer steps of the whole run (with --resume: a larger number extends it)", 1, 100_000_000, Defaults.Steps);
    public Option<int> KMin { get; } = CliOptions.Int("--k-min", "Smallest K drawn per batch", 1, MaxTrainK, Defaults.KMin);
    public Option<int> KMax { get; } = CliOptions.Int("--k-max", "Largest K drawn per batch", 1, MaxTrainK, Defaults.KMax);
    public Option<string> KDist { get; } = CliOptions.Text("--k-dist", "uniform | lognormal: how K is drawn per batch", Defaults.KDistribution.Kebab());
    public Option<double> KMean { get; } = CliOptions.Real("--k-mean", "Mean K for --k-dist lognormal", 1, MaxTrainK, Defaults.KMean);
    public Option<int> KCurriculum { get; } = CliOptions.Int("--k-curriculum", "Grow the largest K (and the mean) linearly from --k-min over this many steps (0 = off)", 0, 100_000_000, Defaults.KCurriculumSteps);
    public Option<int> BackpropSteps { get; } = CliOptions.Int("--backprop-steps", "Backprop through the last B steps only (0 = all)", 0, MaxTrainK, Defaults.BackpropSteps);
    public Option<int> DeepSupervision { get; } = CliOptions.Int("--deep-supervision", "Also apply cross-entropy at this many steps before the last (0 = off)", 0, MaxTrainK, Defaults.DeepSupervisionSteps);
    public Option<double> MonotonicWeight { get; } = CliOptions.Real("--monotonic-weight", "Weight of the loss that asks each step to improve on the last (0 = off)", 0, 1000, Defaults.MonotonicWeight);
    public Option<double> ConvergenceWeight { get; } = CliOptions.Real("--convergence-weight", "Weight of the loss on successive delta-norm ratios (0 = off)", 0, 1000, Defaults.ConvergenceWeight);
    public Option<double> PonderWeight { get; } = CliOptions.Real("--ponder-weight", "Weight of PonderNet's expected loss (0 = off)", 0, 1000, Defaults.PonderWeight);
    public Option<int> Batch { get; } = CliOptions.Int("--batch", "Sequences (or puzzles) per batch", 1, 65_536, Defaults.BatchSize);
    public Option<int> Context { get; } = CliOptions.Int("--context", "Tokens per training window", 2, 65_536, Defaults.Context);
    public Option<int> GradAccum { get; } = CliOptions.Int("--grad-accum", "Micro-batches per optimizer step", 1, 4096, Defaults.GradientAccumulation);
    public Option<double> Lr { get; } = CliOptions.Real("--lr", "Peak learning rate (AdamW, cosine decay after warm-up)", 1e-9, 10, Defaults.LearningRate);
    public Option<int> Warmup { get; } = CliOptions.Int("--warmup", "Steps of linear learning-rate warm-up", 0, 100_000_000, Defaults.WarmupSteps);
    public Option<double> WeightDecay { get; } = CliOptions.Real("--weight-decay", "AdamW weight decay", 0, 10, Defaults.WeightDecay);
    public Option<int> EvalEvery { get; } = CliOptions.Int("--eval-every", "Steps between validation losses", 1, 100_000_000, Defaults.EvalEvery);
    public Option<string> EvalK { get; } = CliOptions.Text("--eval-k", "K for validation during training (a number, or inf)", Defaults.EvalK.ToString());
    public Option<int> SaveEvery { get; } = CliOptions.Int("--save-every", "Steps between checkpoint saves (also saved at the end and on Ctrl-C)", 1, 100_000_000, Defaults.SaveEvery);
    public Option<int> Seed { get; } = CliOptions.Seed("Seed of the weights, the data order and K: the same seed gives the same run", Defaults.Seed);
    public Option<string> Tokenizer { get; } = CliOptions.Text("--tokenizer", "bytes, or a folder made by 'isrm data tokenizer'", Defaults.Tokenizer);
    public Option<int> Threads { get; } = CliOptions.Threads(Defaults.Threads);
    public Option<string> Device { get; } = CliOptions.Text("--device", "cpu | cuda", Defaults.Device);
    public Option<string> Precision { get; } = CliOptions.Text("--precision", "fp32 | bf16 (matmuls in bfloat16, float32 master weights; falls back to fp32 where it does not pay) | auto", Defaults.Precision);
    public Option<bool> Resume { get; } = CliOptions.Flag("--resume", "Continue the run saved in --out as it was planned (steps, schedule, shape); --steps N may extend it");
    public Option<bool> Force { get; } = CliOptions.Force("--out (start a new run over whatever it holds)");
    public Option<string?> Json { get; } = CliOptions.Json("one progress object per step");
    // Model shape overrides (so the report's variants are one flag each)
    public Option<int?> Width { get; } = CliOptions.OptionalInt("--width", "Model width (state and embedding size; puzzles: channels)", 1, 8192);
    public Option<int?> Layers { get; } = CliOptions.OptionalInt("--layers", "Blocks in the refined network", 1, 64);
    public Option<int?> Heads { get; } = CliOptions.OptionalInt("--heads", "Query heads (width must split into an even size per head); puzzles: attention heads of neighbour-attention and transformer (default 4, width a multiple)", 1, 256);
    public Option<int?> KvHeads { get; } = CliOptions.OptionalInt("--kv-heads", "Key/value heads (divides --heads)", 1, 256);
    public Option<int?> Latent { get; } = CliOptions.OptionalInt("--latent", "Latent iterations per step", 0, 64);
    public Option<string?> AlphaSchedule { get; } = CliOptions.OptionalText("--alpha-schedule", "whitepaper | constant | harmonic: the step size of each refinement step");
    public Option<float?> AlphaC { get; } = CliOptions.OptionalSingle("--alpha-c", "Constant of the α schedule (the step size of constant, c of harmonic c/(k+1))", 1e-6, 1000);
    public Option<string?> Injection { get; } = CliOptions.OptionalText("--injection", "add | concat-project: how the input meets the state each step");
    public Option<string?> InitState { get; } = CliOptions.OptionalText("--init-state", "learned | random: the state before step 1");
    public Option<string?> StepEmbedding { get; } = CliOptions.OptionalText("--step-embedding", "none | stateless | sinusoidal");
    public Option<bool?> StateNorm { get; } = CliOptions.Switch("--state-norm", "RMS-normalise the state each step (true | false)");
    public Option<string?> Solver { get; } = CliOptions.OptionalText("--solver", "iterate | anderson");
    public Option<int?> Neurons { get; } = CliOptions.OptionalInt("--neurons", "RLM: neurons in the activation vector", 1, 65_536);
    public Option<int?> SyncPairs { get; } = CliOptions.OptionalInt("--sync-pairs", "RLM: neuron pairs in the synchronisation state", 1, 1_000_000);
    public Option<float?> SyncDecay { get; } = CliOptions.OptionalSingle("--sync-decay", "RLM: mean initial decay of the synchronisation, in (0, 1)", 1e-6, 0.999999);
    public Option<int?> MemorySlots { get; } = CliOptions.OptionalInt("--memory-slots", "RLT / gated RLT: memory slots carried across tokens", 1, 4096);
    public Option<int?> Window { get; } = CliOptions.OptionalInt("--window", "rlm / rlt / gated-rlt: add an attention memory over the last W tokens (the hybrid); 0 = none", 0, 65_536);
    public Option<int?> Prelude { get; } = CliOptions.OptionalInt("--prelude", "isrm: blocks of their own run once on the embeddings before the loop (Huginn's prelude); 0 = none", 0, 64);
    public Option<int?> Coda { get; } = CliOptions.OptionalInt("--coda", "isrm: position-wise SwiGLU blocks of their own between the state and the head; 0 = none", 0, 64);
    public Option<bool?> InputNorm { get; } = CliOptions.Switch("--input-norm", "isrm: RMS-normalise the re-injected input before it meets the state (true | false)");
    public Option<bool?> SandwichNorm { get; } = CliOptions.Switch("--sandwich-norm", "Also normalise each residual sum inside the blocks (Huginn's sandwich; true | false)");
    public Option<int?> FfnWidth { get; } = CliOptions.OptionalInt("--ffn-width", "Hidden width of every SwiGLU (default 512)", 1, 65_536);
    public Option<double> Ema { get; } = CliOptions.Real("--ema", "Decay of an exponential moving average of the weights, saved as the checkpoint (e.g. 0.99); 0 = none", 0, 0.999999, 0);
    public Option<int?> Ticks { get; } = CliOptions.OptionalInt("--ticks", "rlm / rlt / gated-rlt: core updates per token (trains at K = ticks unless --k-min/--k-max say otherwise)", 1, MaxTrainK);
    public Option<string?> TrainSizes { get; } = CliOptions.OptionalText("--train-sizes", "Text tasks: instance sizes to train on, e.g. 1-10 (one size per batch)");
    public Option<double> KPerSize { get; } = CliOptions.Real("--k-per-size", "Text tasks: a batch of size s trains at K = ceil(s · this) + 0…--k-extra", 0, 1000, Defaults.KPerSize);
    public Option<int> KExtra { get; } = CliOptions.Int("--k-extra", "Text tasks: the most steps added to the size-tied K (uniform draw)", 0, MaxTrainK, Defaults.KExtra);
    public Option<string?> Positions { get; } = CliOptions.OptionalText("--positions", "rope (token positions) | rope-significance (half the heads read digit significance) | significance (every head does)");
    public Option<string?> PromptAttention { get; } = CliOptions.OptionalText("--prompt-attention", "causal | bidirectional (a task prompt's tokens, up to '=', attend both ways)");
    public Option<int?> SignificanceWindow { get; } = CliOptions.OptionalInt("--significance-window", "Attend only to tokens whose digit significance differs by at most this (0 = no limit; needs significance positions)", 0, 65_536);
    public Option<int?> MaxContext { get; } = CliOptions.OptionalInt("--max-context", "Longest sequence the model reads (rotary tables, caches)", 2, 1 << 20);

    /// <summary>The deepest K a training batch may draw.</summary>
    public const int MaxTrainK = 4096;

    /// <summary>Options that may be given with --resume: they do not change the run's plan.</summary>
    public IEnumerable<Option> ResumeOptions => [Out, Resume, Steps, Threads, Device, Json];

    public IEnumerable<Option> All =>
    [
        Corpus, Out, Config, Family, Steps, KMin, KMax, KDist, KMean, KCurriculum, BackpropSteps, DeepSupervision, MonotonicWeight,
        ConvergenceWeight, PonderWeight, Batch, Context, GradAccum, Lr, Warmup, WeightDecay, EvalEvery, EvalK, SaveEvery,
        Seed, Tokenizer, Threads, Device, Precision, Resume, Force, Json, Width, Layers, Heads, KvHeads, Latent, AlphaSchedule, AlphaC, Injection, InitState,
        StepEmbedding, StateNorm, Solver, Neurons, SyncPairs, SyncDecay, MemorySlots, Ticks, Window, Prelude, Coda, SandwichNorm, InputNorm, FfnWidth, Ema,
        TrainSizes, KPerSize, KExtra, Positions, PromptAttention, MaxContext, SignificanceWindow,
    ];

    public IsrmConfig ModelConfig(ParseResult parse)
    {
        string? file = parse.GetValue(Config);
        IsrmConfig config = file is null ? new IsrmConfig()
            : File.Exists(file) ? IsrmConfig.FromJson(File.ReadAllText(file))
            : throw new ArgumentException($"config file {file} does not exist.");
        config = config with
        {
            Family = Choice(parse.GetValue(Family), "--family", config.Family),
            Width = parse.GetValue(Width) ?? config.Width,
            Layers = parse.GetValue(Layers) ?? config.Layers,
            QueryHeads = parse.GetValue(Heads) ?? config.QueryHeads,
            KvHeads = parse.GetValue(KvHeads) ?? config.KvHeads,
            LatentIterations = parse.GetValue(Latent) ?? config.LatentIterations,
            AlphaSchedule = Choice(parse.GetValue(AlphaSchedule), "--alpha-schedule", config.AlphaSchedule),
            AlphaC = parse.GetValue(AlphaC) ?? config.AlphaC,
            InputInjection = Choice(parse.GetValue(Injection), "--injection", config.InputInjection),
            InitialState = Choice(parse.GetValue(InitState), "--init-state", config.InitialState),
            StepEmbedding = Choice(parse.GetValue(StepEmbedding), "--step-embedding", config.StepEmbedding),
            StateNorm = parse.GetValue(StateNorm) ?? config.StateNorm,
            Solver = Choice(parse.GetValue(Solver), "--solver", config.Solver),
            Neurons = parse.GetValue(Neurons) ?? config.Neurons,
            SyncPairs = parse.GetValue(SyncPairs) ?? config.SyncPairs,
            SyncDecayInit = parse.GetValue(SyncDecay) ?? config.SyncDecayInit,
            MemorySlots = parse.GetValue(MemorySlots) ?? config.MemorySlots,
            Ticks = parse.GetValue(Ticks) ?? config.Ticks,
            Window = parse.GetValue(Window) ?? config.Window,
            Prelude = parse.GetValue(Prelude) ?? config.Prelude,
            Coda = parse.GetValue(Coda) ?? config.Coda,
            SandwichNorm = parse.GetValue(SandwichNorm) ?? config.SandwichNorm,
            InputNorm = parse.GetValue(InputNorm) ?? config.InputNorm,
            FfnWidth = parse.GetValue(FfnWidth) ?? config.FfnWidth,
            Positions = Choice(parse.GetValue(Positions), "--positions", config.Positions),
            PromptAttention = Choice(parse.GetValue(PromptAttention), "--prompt-attention", config.PromptAttention),
            MaxContext = parse.GetValue(MaxContext) ?? config.MaxContext,
            SignificanceWindow = parse.GetValue(SignificanceWindow) ?? config.SignificanceWindow,
        };
        config.Validate();
        return config;
    }

    /// <summary>The option's value as its enum, or <paramref name="fallback"/> when it was not given.</summary>
    private static T Choice<T>(string? text, string option, T fallback) where T : struct, Enum =>
        text is null ? fallback : EnumNames.Parse<T>(text, option);

    /// <summary>The training options; <paramref name="task"/> names a text task trained on instead of a corpus.</summary>
    public TrainingOptions TrainingOptions(ParseResult parse, string? task = null)
    {
        string corpus = parse.GetValue(Corpus) is { Length: > 0 } c ? c
            : task is not null ? ""
            : throw new ArgumentException("--corpus is required (a folder of .txt files; 'isrm data brown' makes one), or --task for a task.");
        int[] trainSizes = task is null ? [] : PuzzleCliOptions.ParseSizes(parse.GetValue(TrainSizes), "--train-sizes").ToArray();
        string output = parse.GetValue(Out) is { Length: > 0 } o ? o : throw new ArgumentException("--out is required (the run's checkpoint folder).");
        // --ticks N alone trains every batch at N ticks; explicit --k-min / --k-max still choose a range.
        int? ticks = parse.GetValue(Ticks);
        bool kGiven = parse.GetResult(KMin) is { Implicit: false } || parse.GetResult(KMax) is { Implicit: false };
        int kMin = ticks is int t && !kGiven ? t : parse.GetValue(KMin), kMax = ticks is int u && !kGiven ? u : parse.GetValue(KMax);
        return new TrainingOptions
        {
            Corpus = corpus, Out = output, Tokenizer = parse.GetValue(Tokenizer)!, Steps = parse.GetValue(Steps),
            KMin = kMin, KMax = kMax, KDistribution = EnumNames.Parse<KDistribution>(parse.GetValue(KDist)!, "--k-dist"), KMean = parse.GetValue(KMean),
            KCurriculumSteps = parse.GetValue(KCurriculum),
            BackpropSteps = parse.GetValue(BackpropSteps), DeepSupervisionSteps = parse.GetValue(DeepSupervision),
            MonotonicWeight = parse.GetValue(MonotonicWeight), ConvergenceWeight = parse.GetValue(ConvergenceWeight), PonderWeight = parse.GetValue(PonderWeight),
            BatchSize = parse.GetValue(Batch), Context = parse.GetValue(Context), GradientAccumulation = parse.GetValue(GradAccum),
            LearningRate = parse.GetValue(Lr), WarmupSteps = parse.GetValue(Warmup), WeightDecay = parse.GetValue(WeightDecay),
            EvalEvery = parse.GetValue(EvalEvery), EvalK = RefinementDepth.Parse(parse.GetValue(EvalK)), SaveEvery = parse.GetValue(SaveEvery),
            Seed = parse.GetValue(Seed), Threads = parse.GetValue(Threads), Device = parse.GetValue(Device)!,
            Precision = parse.GetValue(Precision)!, EmaDecay = parse.GetValue(Ema),
            Task = task, TrainSizes = trainSizes, KPerSize = parse.GetValue(KPerSize), KExtra = parse.GetValue(KExtra),
        };
    }
}
