using System.CommandLine;
using Isrm.Model.Config;
using Isrm.Model.Refinement;
using Isrm.Model.Training;

namespace Isrm.Cli.Commands;

/// <summary>The options of <c>isrm train</c> and how they map onto <see cref="IsrmConfig"/> and <see cref="TrainingOptions"/>.</summary>
internal sealed class TrainOptionSet
{
    private static readonly TrainingOptions Defaults = new();

    public Option<string> Corpus { get; } = new("--corpus") { Description = "Corpus folder of .txt files (e.g. data-cache/brown from 'isrm data brown')" };
    public Option<string> Out { get; } = new("--out") { Description = "Run and checkpoint folder" };
    public Option<string?> Config { get; } = new("--config") { Description = "Model config JSON (IsrmConfig); the options below override it" };
    public Option<string?> Family { get; } = new("--family") { Description = "isrm | transformer | rlm | rlt | gated-rlt" };
    public Option<int> Steps { get; } = new("--steps") { Description = "Optimizer steps", DefaultValueFactory = _ => Defaults.Steps };
    public Option<int> KMin { get; } = new("--k-min") { DefaultValueFactory = _ => Defaults.KMin };
    public Option<int> KMax { get; } = new("--k-max") { DefaultValueFactory = _ => Defaults.KMax };
    public Option<string> KDist { get; } = new("--k-dist") { Description = "uniform | lognormal", DefaultValueFactory = _ => Defaults.KDistribution.Kebab() };
    public Option<double> KMean { get; } = new("--k-mean") { Description = "Mean K for --k-dist lognormal", DefaultValueFactory = _ => Defaults.KMean };
    public Option<int> KCurriculum { get; } = new("--k-curriculum") { Description = "Grow the largest K (and the mean) linearly from --k-min over this many steps (0 = off)", DefaultValueFactory = _ => Defaults.KCurriculumSteps };
    public Option<int> BackpropSteps { get; } = new("--backprop-steps") { Description = "Backprop through the last B steps only (0 = all)", DefaultValueFactory = _ => Defaults.BackpropSteps };
    public Option<int> DeepSupervision { get; } = new("--deep-supervision") { Description = "Also apply cross-entropy at this many steps before the last", DefaultValueFactory = _ => Defaults.DeepSupervisionSteps };
    public Option<double> MonotonicWeight { get; } = new("--monotonic-weight") { DefaultValueFactory = _ => Defaults.MonotonicWeight };
    public Option<double> ConvergenceWeight { get; } = new("--convergence-weight") { DefaultValueFactory = _ => Defaults.ConvergenceWeight };
    public Option<double> PonderWeight { get; } = new("--ponder-weight") { DefaultValueFactory = _ => Defaults.PonderWeight };
    public Option<int> Batch { get; } = new("--batch") { DefaultValueFactory = _ => Defaults.BatchSize };
    public Option<int> Context { get; } = new("--context") { DefaultValueFactory = _ => Defaults.Context };
    public Option<int> GradAccum { get; } = new("--grad-accum") { DefaultValueFactory = _ => Defaults.GradientAccumulation };
    public Option<double> Lr { get; } = new("--lr") { DefaultValueFactory = _ => Defaults.LearningRate };
    public Option<int> Warmup { get; } = new("--warmup") { DefaultValueFactory = _ => Defaults.WarmupSteps };
    public Option<double> WeightDecay { get; } = new("--weight-decay") { DefaultValueFactory = _ => Defaults.WeightDecay };
    public Option<int> EvalEvery { get; } = new("--eval-every") { DefaultValueFactory = _ => Defaults.EvalEvery };
    public Option<string> EvalK { get; } = new("--eval-k") { Description = "K for validation during training (a number, or inf)", DefaultValueFactory = _ => Defaults.EvalK.ToString() };
    public Option<int> SaveEvery { get; } = new("--save-every") { DefaultValueFactory = _ => Defaults.SaveEvery };
    public Option<int> Seed { get; } = new("--seed") { DefaultValueFactory = _ => Defaults.Seed };
    public Option<string> Tokenizer { get; } = new("--tokenizer") { Description = "bytes, or a folder made by 'isrm data tokenizer'", DefaultValueFactory = _ => Defaults.Tokenizer };
    public Option<int> Threads { get; } = new("--threads") { Description = "Torch intra-op threads (1 is robust on a shared machine)", DefaultValueFactory = _ => Defaults.Threads };
    public Option<string> Device { get; } = new("--device") { Description = "cpu | cuda", DefaultValueFactory = _ => Defaults.Device };
    public Option<string> Precision { get; } = new("--precision") { Description = "fp32 | bf16 (matmuls in bfloat16, float32 master weights; falls back to fp32 where it does not pay) | auto", DefaultValueFactory = _ => Defaults.Precision };
    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue the run saved in --out" };
    public Option<bool> Json { get; } = new("--json") { Description = "Print metrics as JSON lines instead of a progress bar" };
    // Model shape overrides (so the report's variants are one flag each)
    public Option<int?> Width { get; } = new("--width");
    public Option<int?> Layers { get; } = new("--layers");
    public Option<int?> Heads { get; } = new("--heads") { Description = "Query heads (width must split into an even size per head); puzzles: attention heads of neighbour-attention and transformer (default 4, width a multiple)" };
    public Option<int?> KvHeads { get; } = new("--kv-heads") { Description = "Key/value heads (divides --heads)" };
    public Option<int?> Latent { get; } = new("--latent") { Description = "Latent iterations per step" };
    public Option<string?> AlphaSchedule { get; } = new("--alpha-schedule") { Description = "whitepaper | constant | harmonic" };
    public Option<float?> AlphaC { get; } = new("--alpha-c");
    public Option<string?> Injection { get; } = new("--injection") { Description = "add | concat-project" };
    public Option<string?> InitState { get; } = new("--init-state") { Description = "learned | random" };
    public Option<string?> StepEmbedding { get; } = new("--step-embedding") { Description = "none | stateless | sinusoidal" };
    public Option<bool?> StateNorm { get; } = new("--state-norm");
    public Option<string?> Solver { get; } = new("--solver") { Description = "iterate | anderson" };
    public Option<int?> Neurons { get; } = new("--neurons") { Description = "RLM: neurons in the activation vector" };
    public Option<int?> SyncPairs { get; } = new("--sync-pairs") { Description = "RLM: neuron pairs in the synchronisation state" };
    public Option<float?> SyncDecay { get; } = new("--sync-decay") { Description = "RLM: mean initial decay of the synchronisation, in (0, 1)" };
    public Option<int?> MemorySlots { get; } = new("--memory-slots") { Description = "RLT / gated RLT: memory slots carried across tokens" };
    public Option<int?> Window { get; } = new("--window") { Description = "rlm / rlt / gated-rlt: add an attention memory over the last W tokens (the hybrid); 0 = none" };
    public Option<int?> Prelude { get; } = new("--prelude") { Description = "isrm: blocks of their own run once on the embeddings before the loop (Huginn's prelude); 0 = none" };
    public Option<int?> Coda { get; } = new("--coda") { Description = "isrm: position-wise SwiGLU blocks of their own between the state and the head; 0 = none" };
    public Option<bool?> InputNorm { get; } = new("--input-norm") { Description = "isrm: RMS-normalise the re-injected input before it meets the state" };
    public Option<bool?> SandwichNorm { get; } = new("--sandwich-norm") { Description = "Also normalise each residual sum inside the blocks (Huginn's sandwich)" };
    public Option<int?> FfnWidth { get; } = new("--ffn-width") { Description = "Hidden width of every SwiGLU (default 512)" };
    public Option<double> Ema { get; } = new("--ema") { Description = "Decay of an exponential moving average of the weights, saved as the checkpoint (e.g. 0.99); 0 = none", DefaultValueFactory = _ => 0 };
    public Option<string?> TrainSizes { get; } = new("--train-sizes") { Description = "Text tasks: instance sizes to train on, e.g. 1-10 (one size per batch)" };
    public Option<double> KPerSize { get; } = new("--k-per-size") { Description = "Text tasks: a batch of size s trains at K = ceil(s · this) + 0…--k-extra", DefaultValueFactory = _ => Defaults.KPerSize };
    public Option<int> KExtra { get; } = new("--k-extra") { Description = "Text tasks: the most steps added to the size-tied K (uniform draw)", DefaultValueFactory = _ => Defaults.KExtra };
    public Option<string?> Positions { get; } = new("--positions") { Description = "rope (token positions) | rope-significance (half the heads read digit significance)" };
    public Option<string?> PromptAttention { get; } = new("--prompt-attention") { Description = "causal | bidirectional (a task prompt's tokens, up to '=', attend both ways)" };
    public Option<int?> SignificanceWindow { get; } = new("--significance-window") { Description = "Attend only to tokens whose digit significance differs by at most this (0 = no limit; needs significance positions)" };
    public Option<int?> MaxContext { get; } = new("--max-context") { Description = "Longest sequence the model reads (rotary tables, caches)" };
    public Option<int?> Ticks { get; } = new("--ticks") { Description = "rlm / rlt / gated-rlt: core updates per token (trains at K = ticks unless --k-min/--k-max say otherwise)" };

    public IEnumerable<Option> All =>
    [
        Corpus, Out, Config, Family, Steps, KMin, KMax, KDist, KMean, KCurriculum, BackpropSteps, DeepSupervision, MonotonicWeight,
        ConvergenceWeight, PonderWeight, Batch, Context, GradAccum, Lr, Warmup, WeightDecay, EvalEvery, EvalK, SaveEvery,
        Seed, Tokenizer, Threads, Device, Precision, Resume, Json, Width, Layers, Heads, KvHeads, Latent, AlphaSchedule, AlphaC, Injection, InitState,
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
            : throw new ArgumentException("--corpus is required (a folder of .txt files; 'isrm data brown' makes one).");
        int[] trainSizes = task is null ? [] : PuzzleOptions.ParseSizes(parse.GetValue(TrainSizes), "--train-sizes").ToArray();
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
