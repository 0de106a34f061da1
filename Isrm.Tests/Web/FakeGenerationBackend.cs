namespace Isrm.Tests.Web;

/// <summary>
/// A deterministic stand-in for the model library, for tests of queueing and cancellation timing that a real model
/// cannot make deterministic. A folder is a checkpoint when it holds config.json that is not empty; one whose
/// config.json says <c>unloadable</c> inspects fine but fails to load.
/// </summary>
public sealed class FakeGenerationBackend : IGenerationBackend
{
    public TimeSpan StepDelay { get; set; } = TimeSpan.Zero;
    public int Loads;
    public int Disposals;
    /// <summary>The most models that were loaded at one time.</summary>
    public int MostLoaded;
    private int _loaded;
    /// <summary>Managed thread id of every generation, in start order.</summary>
    public List<int> GenerationThreads { get; } = [];

    public CheckpointDescription Inspect(string directory)
    {
        string config = Path.Combine(directory, "config.json");
        if (!File.Exists(config)) return CheckpointDescription.Unusable($"{directory} has no config.json: it is not a checkpoint folder.");
        if (new FileInfo(config).Length == 0) return CheckpointDescription.Unusable($"{config} is empty: the checkpoint is truncated.");
        return new CheckpointDescription("fake", 1234, "fake checkpoint for tests", null);
    }

    public ILoadedModel Load(string directory)
    {
        Interlocked.Increment(ref Loads);
        if (File.ReadAllText(Path.Combine(directory, "config.json")).Contains("unloadable", StringComparison.Ordinal))
            throw new CheckpointException($"{directory} cannot be loaded: its weights are corrupt.");
        int loaded = Interlocked.Increment(ref _loaded);
        lock (GenerationThreads) MostLoaded = Math.Max(MostLoaded, loaded);
        return new FakeModel(this);
    }

    /// <summary>Emits K steps per token (5 for K = ∞), with metrics that shrink like the α schedule.</summary>
    private sealed class FakeModel(FakeGenerationBackend owner) : ILoadedModel
    {
        public StepScheduler Scheduler { get; } = new();   // its runs never wait at a step: they go in turn, an event each

        public IEnumerable<GenerationEvent> Generate(GenerationRequest request, CancellationToken cancellation)
        {
            lock (owner.GenerationThreads) owner.GenerationThreads.Add(Environment.CurrentManagedThreadId);
            int steps = request.K.Steps ?? 5;
            for (int t = 0; t < request.MaxTokens; t++)
            {
                for (int s = 1; s <= steps; s++)
                {
                    if (cancellation.IsCancellationRequested) { yield return new DoneEvent(t, 0, StopReason.Cancelled); yield break; }
                    if (owner.StepDelay > TimeSpan.Zero) Thread.Sleep(owner.StepDelay);
                    float p = 0.3f + 0.6f * s / steps;
                    yield return new StepEvent(t, s,
                        [new TokenProbability("a", 97, p), new TokenProbability("b", 98, (1 - p) / 2), new TokenProbability(" ", 32, (1 - p) / 4)],
                        p, 1.5f / s, 0.5f / (s * s), 0.4f, s == 1 ? float.NaN : 0.1f / s, 0.15f / s, 0.01f * s, s,
                        request.IncludeStates ? [s, -s, 0.5f * s * t, 1] : null);
                }
                yield return new TokenEvent(t, t % 2 == 0 ? "a" : "b", t % 2 == 0 ? 97 : 98, steps);
            }
            yield return new DoneEvent(request.MaxTokens, 1, StopReason.MaxTokens);
        }

        public IEnumerable<Isrm.Model.Reasoning.PuzzleFrame> Solve(
            Isrm.Model.Reasoning.Puzzle puzzle, Isrm.Model.Reasoning.PuzzleSolveOptions options, CancellationToken cancellation) =>
            throw new ArgumentException("The fake backend holds text models only.");

        public void Dispose()
        {
            Interlocked.Increment(ref owner.Disposals);
            Interlocked.Decrement(ref owner._loaded);
        }
    }
}
