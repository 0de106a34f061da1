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

    public static IsrmModel Create(string family, int seed = 3) => TinyModels.Create(Config(family), seed);

    /// <summary>
    /// Streams 8, then 400 random tokens through a fresh cache and checks that the recurrent state held after them has
    /// one size, that of the core's state plus one vector: a recurrent family's memory does not grow with the text.
    /// </summary>
    public static void AssertStateDoesNotGrow(IsrmModel model, ITestOutputHelper output, string name)
    {
        long Bytes(int tokens)
        {
            using var scope = NewDisposeScope();
            using var cache = new RefinementCache(model.Config, 1, model.Device);
            Tensor x = model.Embed(randint(0, 256, new long[] { 1, tokens }));
            foreach (RefinementStep _ in Refiner.Run(model, x, new RefinementOptions { K = 1, EveryStepLogits = false }, cache, 0)) { }
            Assert.Equal(tokens, cache.Length);
            return cache.Recurrent.Bytes;
        }
        long shortBytes = Bytes(8), longBytes = Bytes(400);
        output.WriteLine($"{name}: state {shortBytes} bytes after 8 tokens, {longBytes} after 400");
        Assert.Equal(shortBytes, longBytes);
        Assert.Equal(model.Recurrent!.StateFloats * 4 + model.Config.Width * 4, longBytes);
    }
}
