using System.Runtime.CompilerServices;
using Isrm.Model.Generation;
using Isrm.Model.Runtime;
using Isrm.Web.Models;
using Microsoft.Extensions.Options;

namespace Isrm.Web.Services;

/// <summary>Thrown at once when a checkpoint's queue is full; the message tells the user to try again.</summary>
public sealed class ModelBusyException(string message) : Exception(message);

/// <summary>
/// Owns the one model thread. Keeps at most <see cref="ModelServiceOptions.MaxLoadedModels"/> checkpoints loaded
/// (least recently used goes first) and runs one request at a time per checkpoint behind a bounded queue, with at most
/// <see cref="ModelServiceOptions.MaxConcurrentGenerations"/> requests running or queued over all checkpoints.
/// </summary>
public sealed class ModelService : IHostedService, IDisposable
{
    private readonly IGenerationBackend _backend;
    private readonly ModelServiceOptions _options;
    private readonly ILogger<ModelService> _logger;
    private readonly ModelThread _thread;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CheckpointQueue> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoadedEntry> _loaded = new(StringComparer.Ordinal);
    private int _reservedTotal;
    private long _stepsComputed;
    private long _clock;
    private int _disposed;
    private readonly Lazy<Task> _unloading;

    public ModelService(IGenerationBackend backend, IOptions<ModelServiceOptions> options, ILogger<ModelService> logger)
    {
        _backend = backend;
        _options = options.Value;
        _logger = logger;
        _unloading = new Lazy<Task>(UnloadCoreAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        _thread = new ModelThread("isrm-web-model", Math.Max(1, _options.TorchThreads));
    }

    /// <summary>Step events produced since start (lets tests and operators see that a cancelled run stopped).</summary>
    public long StepsComputed => Interlocked.Read(ref _stepsComputed);

    /// <summary>Names of the checkpoints currently in memory, least recently used first.</summary>
    public IReadOnlyList<string> LoadedCheckpoints
    {
        get { lock (_lock) return _loaded.OrderBy(e => e.Value.LastUsed).Select(e => e.Key).ToList(); }
    }

    /// <summary>
    /// Reserves a place in <paramref name="directory"/>'s queue now (throwing <see cref="ModelBusyException"/> when it
    /// is full) and returns the stream of events, which waits its turn when enumerated.
    /// </summary>
    public IAsyncEnumerable<GenerationEvent> Generate(
        string directory, GenerationRequest request, Func<int, Task>? onQueued = null, CancellationToken cancellation = default)
    {
        CheckpointQueue queue;
        int ahead;
        lock (_lock)
        {
            int total = Math.Max(1, _options.MaxConcurrentGenerations);
            if (_reservedTotal >= total)
                throw new ModelBusyException(
                    $"The server is busy: it runs or queues at most {total} generations at once, over all checkpoints; try again in a moment.");
            if (!_queues.TryGetValue(directory, out queue!)) _queues[directory] = queue = new CheckpointQueue();
            if (queue.Reserved >= _options.QueueCapacity + 1)
                throw new ModelBusyException(
                    $"The model is busy: {queue.Reserved} requests for '{Path.GetFileName(directory)}' are running or queued; try again in a moment.");
            ahead = queue.Reserved++;
            _reservedTotal++;
        }
        return RunReserved(directory, queue, ahead, request, onQueued, cancellation);
    }

    private async IAsyncEnumerable<GenerationEvent> RunReserved(
        string directory, CheckpointQueue queue, int ahead, GenerationRequest request, Func<int, Task>? onQueued,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        bool entered = false;
        try
        {
            if (ahead > 0 && onQueued is not null) await onQueued(ahead);
            await queue.Gate.WaitAsync(cancellation);
            entered = true;
            ILoadedModel model = await AcquireAsync(directory);
            await foreach (GenerationEvent e in _thread.StreamAsync(c => model.Generate(request, c), cancellation))
            {
                if (e is StepEvent) Interlocked.Increment(ref _stepsComputed);
                yield return e;
            }
        }
        finally
        {
            lock (_lock)
            {
                queue.Reserved--;
                _reservedTotal--;
                if (_loaded.TryGetValue(directory, out LoadedEntry? entry) && entered) entry.InUse = false;
            }
            if (entered) queue.Gate.Release();
        }
    }

    private async Task<ILoadedModel> AcquireAsync(string directory)
    {
        lock (_lock)
        {
            if (_loaded.TryGetValue(directory, out LoadedEntry? hit))
            {
                hit.LastUsed = ++_clock;
                hit.InUse = true;
                return hit.Model;
            }
        }
        _logger.LogInformation("Loading checkpoint {Directory}", directory);
        ILoadedModel model = await _thread.RunAsync(() => _backend.Load(directory));
        List<ILoadedModel> evicted = [];
        lock (_lock)
        {
            _loaded[directory] = new LoadedEntry(model) { LastUsed = ++_clock, InUse = true };
            foreach (var (name, entry) in _loaded.Where(e => !e.Value.InUse).OrderBy(e => e.Value.LastUsed).ToList())
            {
                if (_loaded.Count <= Math.Max(1, _options.MaxLoadedModels)) break;
                _loaded.Remove(name);
                evicted.Add(entry.Model);
            }
        }
        foreach (ILoadedModel old in evicted) await _thread.RunAsync(old.Dispose);
        return model;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => UnloadAllAsync();

    /// <summary>Unloads every model on the model thread, then stops the thread (safe after, before or during StopAsync).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        UnloadAllAsync().Wait(TimeSpan.FromSeconds(10));
        _thread.Dispose();
    }

    // One unload for both shutdown paths: the host may call StopAsync and Dispose in either order, even at once.
    private Task UnloadAllAsync() => _unloading.Value;

    private async Task UnloadCoreAsync()
    {
        List<ILoadedModel> all;
        lock (_lock)
        {
            all = _loaded.Values.Select(e => e.Model).ToList();
            _loaded.Clear();
        }
        if (all.Count > 0) await _thread.RunAsync(() => all.ForEach(m => m.Dispose()));
    }

    private sealed class CheckpointQueue
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Reserved { get; set; }
    }

    private sealed class LoadedEntry(ILoadedModel model)
    {
        public ILoadedModel Model { get; } = model;
        public long LastUsed { get; set; }
        public bool InUse { get; set; }
    }
}
