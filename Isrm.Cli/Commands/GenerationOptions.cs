namespace Isrm.Cli.Commands;

/// <summary>The options <c>generate</c> and <c>chat</c> share: checkpoint, K, sampling, device, cache and threads.</summary>
internal sealed class GenerationOptions
{
    public Option<string> Checkpoint { get; } = CliOptions.Checkpoint();
    public Option<string> K { get; } = CliOptions.Depth("Refinement steps per token: a number K ≥ 1, or inf (until KL < --kl-tolerance, at most --cap steps)", "8", "--loops");
    public Option<int> Cap { get; } = CliOptions.Cap(RefinementDepth.DefaultCap, max: MaxCap);
    public Option<float> KlTolerance { get; } = CliOptions.Single("--kl-tolerance", "K = inf stops when the KL between successive steps falls below this", 1e-38, 10, 1e-3f);
    public Option<int> MaxTokens { get; }
    public Option<float> Temperature { get; } = CliOptions.Single("--temperature", "Sampling temperature; 0 = greedy", 0, 100, 0.8f);
    public Option<int> TopK { get; } = CliOptions.Int("--top-k", "Sample from the K most probable tokens (0 = off)", 0, 1_000_000, 40);
    public Option<float> TopP { get; } = CliOptions.Single("--top-p", "Nucleus sampling mass in (0, 1] (1 = off)", 1e-6, 1, 0.95f);
    public Option<ulong> Seed { get; } = CliOptions.LongSeed("Seed of the sampler and of a random initial state: the same seed gives the same text");
    public Option<string> Device { get; } = CliOptions.Text("--device", "cpu or cuda", "cpu");
    public Option<bool> NoCache { get; } = CliOptions.Flag("--no-cache", "Recompute the whole sequence for every token (slow reference path)");
    public Option<int> Threads { get; } = ThreadsOption();

    /// <summary>The largest cap a command line may set: K = 65,536 steps on one token is minutes of work already.</summary>
    public const int MaxCap = 65_536;

    public GenerationOptions(int defaultMaxTokens) =>
        MaxTokens = CliOptions.Int("--max-tokens", "Tokens to generate", 1, 100_000, defaultMaxTokens);

    /// <summary>Intra-op threads for TorchSharp: half the cores by default, since oversubscribing a shared machine collapses throughput.</summary>
    public static Option<int> ThreadsOption() => CliOptions.Threads(Math.Clamp(Environment.ProcessorCount / 2, 1, 8), "TorchSharp intra-op threads");

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Checkpoint, K, Cap, KlTolerance, MaxTokens, Temperature, TopK, TopP, Seed, Device, NoCache, Threads })
            command.Options.Add(option);
    }

    /// <summary>
    /// The request these options describe, with K from <c>--k</c> or <paramref name="k"/> (chat's <c>/k</c>); throws
    /// <see cref="ArgumentException"/> with one sentence for a bad value.
    /// </summary>
    public GenerationRequest Request(ParseResult parse, string prompt, RefinementDepth? k = null)
    {
        int threads = parse.GetValue(Threads);
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1 (got {threads}).");
        float temperature = parse.GetValue(Temperature), topP = parse.GetValue(TopP);
        int topK = parse.GetValue(TopK);
        // Name the option the user typed, with the value, before the library's own check.
        if (float.IsNaN(temperature) || temperature < 0) throw new ArgumentException($"--temperature must be 0 (greedy) or positive (got {temperature}).");
        if (topK < 0) throw new ArgumentException($"--top-k must be 0 (off) or positive (got {topK}).");
        if (float.IsNaN(topP) || topP <= 0 || topP > 1) throw new ArgumentException($"--top-p must be in (0, 1] (got {topP}).");
        Sampler.Validate(temperature, topK, topP);
        int cap = parse.GetValue(Cap);
                int maxTokens = parse.GetValue(MaxTokens);
        if (maxTokens < 1) throw new ArgumentException($"--max-tokens must be at least 1 (got {maxTokens}).");
        float tolerance = parse.GetValue(KlTolerance);
        if (!(tolerance > 0)) throw new ArgumentException($"--kl-tolerance must be positive (got {tolerance}).");
        if (string.IsNullOrWhiteSpace(prompt)) throw new ArgumentException("The prompt is empty: pass some text with --prompt.");
        if (PromptText.Problem(prompt) is string problem) throw new ArgumentException(problem);
        RefinementDepth depth = k ?? RefinementDepth.Parse(parse.GetValue(K));
        if (depth.Steps > cap) throw new ArgumentException($"--k {depth} is above --cap {cap}: lower K or raise --cap.");
        depth = depth.Checked(cap, "--k");
        return new GenerationRequest
        {
            Prompt = prompt,
            K = depth,
            KlTolerance = tolerance,
            MaxTokens = maxTokens,
            Temperature = temperature,
            TopK = topK,
            TopP = topP,
            Seed = parse.GetValue(Seed),
            UseCache = !parse.GetValue(NoCache),
        };
    }
}
