using Isrm.Model.Tokenization;

namespace Isrm.Bench;

/// <summary>The model a benchmark measures: a checkpoint, or a random-init model with the default config when none is given.</summary>
internal static class BenchModel
{
    public const string RandomInitName = "random-init default config";

    /// <summary>Call on the model thread.</summary>
    public static LoadedCheckpoint Load(string? checkpoint, IsrmConfig? config = null)
    {
        if (checkpoint is not null) return Checkpoint.Load(checkpoint, torch.CPU);
        torch.manual_seed(0);
        var model = new IsrmModel(config ?? new IsrmConfig());
        model.eval();
        model.JoinForInference();   // as Checkpoint.Load does
        var info = new CheckpointInfo(RandomInitName, "", model.Config, new CheckpointMetadata { ParameterCount = model.ParameterCount });
        return new LoadedCheckpoint(info, model, new ByteTokenizer());
    }

    /// <summary>Says which model is measured, so that a random-init figure is never mistaken for a trained one.</summary>
    public static string Describe(LoadedCheckpoint checkpoint) => checkpoint.Info.Directory.Length == 0
        ? $"No --checkpoint given: measuring a {RandomInitName} model (IsrmConfig defaults, {checkpoint.Info.ParameterCount:N0} parameters)."
        : $"Checkpoint {checkpoint.Info.Name} ({checkpoint.Info.ParameterCount:N0} parameters).";

    /// <summary>Prompt text of exactly <paramref name="tokens"/> tokens where the tokenizer allows (plain English, repeated).</summary>
    public static string Prompt(ITextTokenizer tokenizer, int tokens)
    {
        const string sample = "The committee met on Tuesday to discuss the new road, and after a long debate the members agreed that the work should begin in the spring. ";
        string text = string.Concat(Enumerable.Repeat(sample, tokens / 16 + 2));
        int[] ids = tokenizer.Encode(text);
        return tokenizer.Decode(ids[..Math.Min(tokens, ids.Length)]);
    }

    /// <summary>--checkpoint for benchmarks: optional (random-init default config when absent).</summary>
    public static System.CommandLine.Option<string?> CheckpointOption() =>
        new("--checkpoint") { Description = "Checkpoint folder (default: a random-init model with the default config)" };
}
