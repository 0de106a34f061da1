using Isrm.Model.Generation;

namespace Isrm.Web.Refinement;

/// <summary>
/// The model library as the web layer sees it: inspect a folder, load it, generate. Load and Generate run on the
/// model thread; the web layer never sees a tensor.
/// </summary>
public interface IGenerationBackend
{
    /// <summary>Reads a checkpoint's description without loading weights; never throws for a bad folder.</summary>
    CheckpointDescription Inspect(string directory);

    /// <summary>Loads the weights (on the model thread).</summary>
    ILoadedModel Load(string directory);
}

/// <summary>A loaded checkpoint that can generate (on the model thread).</summary>
public interface ILoadedModel : IDisposable
{
    IEnumerable<GenerationEvent> Generate(GenerationRequest request, CancellationToken cancellation);
}

/// <summary>What a checkpoint folder says about itself, or why it cannot be used.</summary>
/// <param name="MaxContext">Tokens the model reads at most (0 = unknown).</param>
/// <param name="ByteTokens">True when its tokenizer makes one token per UTF-8 byte.</param>
public sealed record CheckpointDescription(
    string Family, long ParameterCount, string TrainingSummary, string? Error, int MaxContext = 0, bool ByteTokens = false, bool SinglePass = false)
{
    public bool Usable => Error is null;
    public static CheckpointDescription Unusable(string error) => new("", 0, "", error);
}
