using Isrm.Model.Config;
using Isrm.Model.Modules;
using TorchSharp;

namespace Isrm.Tests.Model;

/// <summary>Small random-initialised models for tests (fast on one CPU thread).</summary>
internal static class TinyModels
{
    static TinyModels() => torch.set_num_threads(1);

    public static IsrmConfig Config(int latent = 0) => new()
    {
        Width = 48, Layers = 2, QueryHeads = 6, KvHeads = 2, FfnWidth = 64, MaxContext = 64,
        LatentIterations = latent, StepEmbedding = "sinusoidal",
    };

    public static IsrmModel Create(IsrmConfig config, int seed = 7)
    {
        torch.manual_seed(seed);
        var model = new IsrmModel(config);
        model.eval();
        return model;
    }
}
