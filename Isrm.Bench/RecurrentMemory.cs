namespace Isrm.Bench;

/// <summary>
/// Inference memory against context length: a recurrent model streams n tokens through its carried state (measured:
/// the state's bytes and the process's resident memory afterwards), next to the K/V cache a transformer of a given
/// config allocates for n positions (measured: the bytes of the buffers the generation cache creates).
/// </summary>
public static class RecurrentMemory
{
    /// <summary>One context length: recurrent state bytes, resident memory after streaming, streaming speed, transformer K/V bytes.</summary>
    public sealed record Row(int Context, long StateBytes, long ResidentBytes, double TokensPerSecond, long TransformerKvBytes);

    public static IReadOnlyList<Row> Run(IsrmModel recurrent, IsrmConfig transformer, IReadOnlyList<int> contexts, int chunk = 256, int seed = 1, Action<string>? progress = null)
    {
        if (!recurrent.Config.IsRecurrent) throw new ArgumentException($"the memory benchmark streams a recurrent model (rlm, rlt, gated-rlt), not {recurrent.Config.Family.Kebab()}.");
        var rows = new List<Row>();
        var random = new Random(seed);
        foreach (int context in contexts.Order())
        {
            long stateBytes, resident;
            double speed;
            using (var inference = inference_mode())
            using (var cache = new RefinementCache(recurrent.Config, 1, recurrent.Device))
            {
                var clock = Stopwatch.StartNew();
                var options = new RefinementOptions { K = 1, EveryStepLogits = false };
                for (int offset = 0; offset < context; offset += chunk)
                {
                    using var scope = NewDisposeScope();
                    int n = Math.Min(chunk, context - offset);
                    long[] ids = Enumerable.Range(0, n).Select(_ => (long)random.Next(32, 127)).ToArray();
                    Tensor x = recurrent.Embed(tensor(ids, new long[] { 1, n }, device: recurrent.Device));
                    foreach (RefinementStep _ in Refiner.Run(recurrent, x, options, cache, offset)) { }
                }
                speed = context / clock.Elapsed.TotalSeconds;
                stateBytes = cache.RecurrentBytes;
                GC.Collect();
                GC.WaitForPendingFinalizers();
                resident = Process.GetCurrentProcess().WorkingSet64;
            }
            rows.Add(new Row(context, stateBytes, resident, speed, KvCacheBytes(transformer, context)));
            progress?.Invoke($"{context} tokens streamed");
        }
        return rows;
    }

    /// <summary>Bytes of the K/V buffers the generation cache allocates for one step of a transformer reading n positions.</summary>
    public static long KvCacheBytes(IsrmConfig transformer, int context)
    {
        var config = transformer with { Family = ModelFamily.Transformer, MaxContext = context };
        using var scope = NewDisposeScope();
        using var cache = new RefinementCache(config, 1, CPU);
        cache.Prepare(1, 0);
        return cache.Buffers(1, 0).Sum(b => (b.Keys.numel() + b.Values.numel()) * b.Keys.element_size());
    }
}
