namespace Isrm.Tests.Model.Recurrent;

/// <summary>Tiny recurrent-family models for tests (fast on one CPU thread).</summary>
internal static class RecurrentModels
{
    static RecurrentModels() => torch.set_num_threads(1);

    public static readonly TheoryData<string> Families = new() { "rlm", "rlt", "gated-rlt" };

    public static IsrmConfig Config(string family) => new()
    {
        Family = EnumNames.Parse<ModelFamily>(family, "family"), Width = 24, Layers = 1, QueryHeads = 2, KvHeads = 1, FfnWidth = 32, MaxContext = 64,
        Neurons = 16, SyncPairs = 40, MemorySlots = 4,
    };

    public static IsrmModel Create(string family, int seed = 3)
    {
        torch.manual_seed(seed);
        var model = new IsrmModel(Config(family));
        model.eval();
        return model;
    }
}
