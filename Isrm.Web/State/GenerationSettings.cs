namespace Isrm.Web.State;

/// <summary>The chat's settings panel: K (1 to the server's cap, or ∞) and sampling.</summary>
public sealed class GenerationSettings
{
    /// <summary>The slider's largest K: the service's <c>Isrm:Model:MaxK</c> once the page has loaded.</summary>
    public int MaxK { get; set; } = RefinementDepth.DefaultCap;

    public string? Checkpoint { get; set; }
    public int K { get; set; } = 8;
    public bool InfiniteK { get; set; }
    public int MaxTokens { get; set; } = 24;
    public double Temperature { get; set; } = 0.8;
    public int TopK { get; set; } = 40;
    public double TopP { get; set; } = 0.95;
    public long Seed { get; set; } = 1;
    public bool IncludeStates { get; set; }

    /// <summary>"K = 8" or "K = ∞ (adaptive)".</summary>
    public string KLabel => InfiniteK ? "K = ∞ (adaptive, stops when the output stops changing)" : $"K = {K}";

    public RefinementRequest ToRequest(string prompt) => new()
    {
        Prompt = prompt,
        Checkpoint = Checkpoint,
        K = InfiniteK ? RefinementDepth.Infinite : RefinementDepth.Of(Math.Clamp(K, 1, MaxK)),
        MaxTokens = MaxTokens,
        Temperature = Temperature,
        TopK = TopK,
        TopP = TopP,
        Seed = Seed,
        IncludeStates = IncludeStates,
    };

    public GenerationSettings Clone() => (GenerationSettings)MemberwiseClone();
}
