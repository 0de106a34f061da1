namespace Isrm.Tests;

/// <summary>Small random-initialised models for tests (fast on one CPU thread).</summary>
internal static class TinyModels
{
    static TinyModels() => torch.set_num_threads(1);

    public static IsrmConfig Config(int latent = 0) => new()
    {
        Width = 48, Layers = 2, QueryHeads = 6, KvHeads = 2, FfnWidth = 64, MaxContext = 64,
        LatentIterations = latent, StepEmbedding = StepEmbeddingKind.Sinusoidal,
    };

    /// <summary>
    /// Inference mode (no autograd) and a dispose scope for the tensors a test makes, as most model tests run; both
    /// end together, the scope first, as two <c>using</c> lines in this order would.
    /// </summary>
    public static IDisposable Inference() => new InferenceScope(inference_mode(), NewDisposeScope());

    /// <summary>
    /// <see cref="CacheAgreement.MaxDifferenceFromFullPass"/> on the lean decode path: a model of
    /// <paramref name="config"/> with its matrices joined for inference, no per-step read-outs, a seeded random start.
    /// </summary>
    public static float LeanCacheDifference(IsrmConfig config, long[] ids, int prefix, int k, ulong seed,
        Func<IsrmModel, IEnumerable<RefinementStep>, Tensor> final)
    {
        using var model = Create(config);
        model.JoinForInference();
        using var inference = Inference();
        var options = new RefinementOptions { K = k, EveryStepLogits = false, StepNorms = false, StepHalt = false, Seed = seed };
        using var cache = new RefinementCache(model.Config, 1, model.Device);
        return CacheAgreement.MaxDifferenceFromFullPass(model, ids, prefix, options, cache, steps => final(model, steps));
    }

    private sealed class InferenceScope(IDisposable mode, DisposeScope scope) : IDisposable
    {
        public void Dispose()
        {
            scope.Dispose();
            mode.Dispose();
        }
    }

    public static IsrmModel Create(IsrmConfig config, int seed = 7)
    {
        torch.manual_seed(seed);
        var model = new IsrmModel(config);
        model.eval();
        return model;
    }

    /// <summary>A byte-level checkpoint held in memory only (no folder), as the generator expects it.</summary>
    public static LoadedCheckpoint Loaded(IsrmConfig? config = null, int seed = 7)
    {
        IsrmModel model = Create(config ?? Config(), seed);
        var info = new CheckpointInfo("tiny", "", model.Config, new CheckpointMetadata { ParameterCount = model.ParameterCount });
        return new LoadedCheckpoint(info, model, new ByteTokenizer());
    }

    /// <summary>Saves a tiny byte-level checkpoint into <paramref name="directory"/> (replacing what is there).</summary>
    public static void SaveCheckpoint(string directory, IsrmConfig? config = null, int seed = 7)
    {
        using IsrmModel model = Create(config ?? Config(), seed);
        Checkpoint.Save(directory, model, new ByteTokenizer(),
            new CheckpointMetadata { Command = "test", Corpus = "none", Tokenizer = ByteTokenizer.KindName, Step = 12, TokensSeen = 3456 });
    }
}

/// <summary>A fresh folder under the system temp folder, deleted with the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"isrm-test-{Guid.NewGuid():N}");

    public TempFolder() => Directory.CreateDirectory(Path);

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
