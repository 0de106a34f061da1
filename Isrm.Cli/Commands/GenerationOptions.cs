using System.CommandLine;
using Isrm.Model.Generation;

namespace Isrm.Cli.Commands;

/// <summary>The options <c>generate</c> and <c>chat</c> share: checkpoint, K, sampling, device, cache and threads.</summary>
internal sealed class GenerationOptions
{
    public Option<string> Checkpoint { get; } = new("--checkpoint") { Description = "Checkpoint folder", Required = true };
    public Option<string> Loops { get; } = new("--loops") { Description = "Refinement steps per token: a number K ≥ 1, or inf (until KL < tolerance, capped by --max-loops)", DefaultValueFactory = _ => "8" };
    public Option<int> MaxLoops { get; } = new("--max-loops") { Description = "Hard cap on K when --loops inf", DefaultValueFactory = _ => 256 };
    public Option<float> KlTolerance { get; } = new("--kl-tolerance") { Description = "K = inf stops when KL between successive steps falls below this", DefaultValueFactory = _ => 1e-3f };
    public Option<int> MaxTokens { get; }
    public Option<float> Temperature { get; } = new("--temperature") { Description = "0 = greedy", DefaultValueFactory = _ => 0.8f };
    public Option<int> TopK { get; } = new("--top-k") { Description = "Sample from the K most probable tokens (0 = off)", DefaultValueFactory = _ => 40 };
    public Option<float> TopP { get; } = new("--top-p") { Description = "Nucleus sampling mass in (0, 1] (1 = off)", DefaultValueFactory = _ => 0.95f };
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed of the sampler and of a random initial state: the same seed gives the same text", DefaultValueFactory = _ => 1UL };
    public Option<string> Device { get; } = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "Recompute the whole sequence for every token (slow reference path)" };
    public Option<int> Threads { get; } = ThreadsOption();

    public GenerationOptions(int defaultMaxTokens) =>
        MaxTokens = new("--max-tokens") { Description = "Tokens to generate", DefaultValueFactory = _ => defaultMaxTokens };

    /// <summary>Intra-op threads for TorchSharp: half the cores by default, since oversubscribing a shared machine collapses throughput.</summary>
    public static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "TorchSharp intra-op threads",
        DefaultValueFactory = _ => Math.Clamp(Environment.ProcessorCount / 2, 1, 8),
    };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Checkpoint, Loops, MaxLoops, KlTolerance, MaxTokens, Temperature, TopK, TopP, Seed, Device, NoCache, Threads })
            command.Options.Add(option);
    }

    /// <summary>The request these options describe; throws <see cref="ArgumentException"/> with one sentence for a bad value.</summary>
    public GenerationRequest Request(ParseResult parse, string prompt, int? loopsOverride = null, bool useOverride = false)
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
        int maxLoops = parse.GetValue(MaxLoops);
        if (maxLoops < 1) throw new ArgumentException($"--max-loops must be at least 1 (got {maxLoops}).");
        int maxTokens = parse.GetValue(MaxTokens);
        if (maxTokens < 1) throw new ArgumentException($"--max-tokens must be at least 1 (got {maxTokens}).");
        float tolerance = parse.GetValue(KlTolerance);
        if (!(tolerance > 0)) throw new ArgumentException($"--kl-tolerance must be positive (got {tolerance}).");
        if (string.IsNullOrWhiteSpace(prompt)) throw new ArgumentException("The prompt is empty: pass some text with --prompt.");
        if (PromptText.Problem(prompt) is string problem) throw new ArgumentException(problem);
        int? loops = useOverride ? loopsOverride : RefinementDepth.Parse(parse.GetValue(Loops));
        if (loops > maxLoops) throw new ArgumentException($"--loops {loops} is above --max-loops {maxLoops}: lower K or raise --max-loops.");
        return new GenerationRequest
        {
            Prompt = prompt,
            Loops = loops,
            MaxLoops = maxLoops,
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
