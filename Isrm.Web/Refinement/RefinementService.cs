namespace Isrm.Web.Refinement;

/// <summary>
/// The in-process <see cref="IRefinementService"/>, one for every task: validates a generation or a solve, resolves
/// its checkpoint in the one catalog, reserves a place (at most <see cref="ModelServiceOptions.QueueCapacity"/>
/// waiting per text checkpoint, <see cref="PuzzleOptions.QueueCapacity"/> per puzzle checkpoint, and
/// <see cref="ModelServiceOptions.MaxConcurrentGenerations"/> running or waiting in all), and hands it to that
/// checkpoint's <see cref="CheckpointWorker"/>. Checkpoints run at the same time, each on its own thread; at most
/// <see cref="ModelServiceOptions.MaxLoadedModels"/> are loaded, the least recently used idle one giving way, and a
/// request for another waits for a slot, told how many are ahead of it.
/// </summary>
public sealed class RefinementService : IRefinementService, IHostedService, IDisposable
{
    private readonly IGenerationBackend _backend;
    private readonly CheckpointCatalog _catalog;
    private readonly IOptions<ModelServiceOptions> _settings;
    private readonly IOptions<PuzzleOptions> _puzzleSettings;
    private readonly ILogger<RefinementService> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CheckpointWorker> _workers = new(StringComparer.Ordinal);
    private readonly LinkedList<RefinementJob> _slotWaiters = new();
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private readonly Lazy<Task> _unloading;
    private readonly List<Task> _retiring = [];
    private int _reservedTotal;
    private long _stepsComputed;
    private long _clock;
    private bool _stopped;

    public RefinementService(
        IGenerationBackend backend, CheckpointCatalog catalog, IOptions<ModelServiceOptions> options, IOptions<PuzzleOptions> puzzleOptions,
        ILogger<RefinementService> logger)
    {
        _backend = backend;
        _catalog = catalog;
        _settings = options;   // read at first use: the host checks the settings after it builds its services
        _puzzleSettings = puzzleOptions;
        _logger = logger;
        _unloading = new Lazy<Task>(UnloadCoreAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private ModelServiceOptions Limits => _settings.Value;

    private PuzzleOptions PuzzleLimits => _puzzleSettings.Value;

    public string DefaultCheckpoint => _catalog.DefaultCheckpoint;

    public int MaxK => Limits.MaxK;

    /// <summary>Refinement steps computed since start (lets tests and operators see that a cancelled run stopped).</summary>
    public long StepsComputed => Interlocked.Read(ref _stepsComputed);

    /// <summary>Generations and solves running or waiting, over all checkpoints.</summary>
    public int Pending
    {
        get { lock (_lock) return _reservedTotal; }
    }

    /// <summary>Folders of the checkpoints in memory, least recently used first.</summary>
    public IReadOnlyList<string> LoadedCheckpoints
    {
        get { lock (_lock) return _workers.Values.Where(w => w.IsLoaded).OrderBy(w => w.LastUsed).Select(w => w.Directory).ToList(); }
    }

    /// <summary>
    /// Per loaded checkpoint (by folder name): joined refinement steps so far, the requests they held in all, and the
    /// most in one (continuous batching; operators and the hub benchmark read it).
    /// </summary>
    public IReadOnlyDictionary<string, (long Batches, long Rows, long Widest)> Batching
    {
        get { lock (_lock) return _workers.Values.ToDictionary(w => Path.GetFileName(w.Directory), w => w.Batching); }
    }

    public IReadOnlyList<CheckpointListing> ListCheckpoints() => _catalog.List();

    public IAsyncEnumerable<RefinementFrame> Generate(RefinementRequest request, CancellationToken cancellation = default) =>
        Stream(() => (AcceptGeneration(request, out string error), error), cancellation);

    public IAsyncEnumerable<RefinementFrame> Solve(SolveRequest request, CancellationToken cancellation = default) =>
        Stream(() => (AcceptSolve(request, out string error), error), cancellation);

    private async IAsyncEnumerable<RefinementFrame> Stream(
        Func<(RefinementJob? Job, string Error)> accept, [EnumeratorCancellation] CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        (RefinementJob? job, string error) = accept();
        if (job is null)
        {
            yield return new ErrorFrame(error);
            yield break;
        }
        using CancellationTokenRegistration stopping = cancellation.Register(() => Cancel(job));
        try
        {
            await foreach (RefinementFrame frame in job.Frames.ReadAllAsync(cancellation))
                yield return frame;
        }
        finally
        {
            Cancel(job);   // a caller that leaves early stops the work too; a no-op once the job finished
        }
    }

    /// <summary>Validates and resolves a generation, then reserves its place (<see cref="Reserve"/>).</summary>
    private RefinementJob? AcceptGeneration(RefinementRequest request, out string error)
    {
        GenerationRequest? model = RequestValidator.Validate(request, Limits, out error);
        if (model is null) return null;
        if (!_catalog.TryResolve(request.Checkpoint, out string directory, out error)) return null;
        var job = new RefinementJob(directory, model);
        string name = Path.GetFileName(directory);
        return Reserve(job, Limits.QueueCapacity, new StartedFrame(job.Id, name),
            mine => $"The model is busy: {mine} requests for '{name}' are running or queued; try again in a moment.", out error);
    }

    /// <summary>Validates a solve (its instance, K and puzzle checkpoint), then reserves its place (<see cref="Reserve"/>).</summary>
    private RefinementJob? AcceptSolve(SolveRequest request, out string error)
    {
        ValidSolve? solve = SolveRequestValidator.Validate(request, _catalog, PuzzleLimits, out error);
        if (solve is null) return null;
        var options = new PuzzleSolveOptions { K = solve.K, Stride = 1, Intervention = solve.Intervention, Foreign = solve.Foreign,
            Starts = solve.Starts, StartSeed = solve.StartSeed };
        var job = new RefinementJob(solve.Directory, new SolveJob(solve.Puzzle, options, PuzzleLimits.DenseSteps));
        Puzzle p = solve.Puzzle;
        var start = new PuzzleStartFrame(solve.Checkpoint, p.Task.Name, p.Size, p.Height, p.Width, p.Cells,
            p.Target.Select(t => t ? (byte)1 : (byte)0).ToArray(), solve.K.Steps, solve.K.Limit(), PuzzleLimits.DenseSteps);
        return Reserve(job, PuzzleLimits.QueueCapacity, start, mine =>
            $"The puzzle model '{solve.Checkpoint}' is busy: {mine} {(mine == 1 ? "solve is" : "solves are")} running or waiting; try again in a moment.",
            out error);
    }

    /// <summary>
    /// Reserves a place for <paramref name="job"/> — at most <paramref name="queueCapacity"/> waiting on its checkpoint
    /// and the server's total — and queues it with <paramref name="first"/> written; or null and the sentence.
    /// </summary>
    private RefinementJob? Reserve(RefinementJob job, int queueCapacity, RefinementFrame first, Func<int, string> busy, out string error)
    {
        string directory = job.Directory;
        error = "";
        lock (_lock)
        {
            int total = Math.Max(1, Limits.MaxConcurrentGenerations);
            int mine = _reserved.GetValueOrDefault(directory);
            if (_stopped)
                error = "The server is shutting down; try again in a moment.";
            else if (_reservedTotal >= total)
                error = $"The server is busy: it runs or queues at most {total} {(job.Solve is null ? "generations" : "generations and solves")} at once, over all checkpoints; try again in a moment.";
            else if (mine >= queueCapacity + Math.Max(1, Limits.MaxBatch))
                error = busy(mine);
            if (error.Length > 0) return null;
            _reserved[directory] = mine + 1;
            _reservedTotal++;
            job.Write(first);
            if (WorkerFor(directory) is { } worker) Enqueue(worker, job);
            else _slotWaiters.AddLast(job);
            TellPositions();
        }
        return job;
    }

    /// <summary>The checkpoint's worker, started if a slot is free or an idle one can give way; null when all slots are busy.</summary>
    private CheckpointWorker? WorkerFor(string directory)
    {
        if (_workers.TryGetValue(directory, out CheckpointWorker? worker)) return worker;
        if (_workers.Count >= Math.Max(1, Limits.MaxLoadedModels))
        {
            CheckpointWorker? idle = _workers.Values.Where(w => w.IsIdle).MinBy(w => w.LastUsed);
            if (idle is null) return null;
            Retire(idle);
        }
        // The new model loads only once every evicted one is gone, so memory stays within MaxLoadedModels.
        _retiring.RemoveAll(t => t.IsCompleted);
        Task retiring = Task.WhenAll(_retiring);
        _logger.LogInformation("Starting a worker for checkpoint {Directory}", directory);
        worker = new CheckpointWorker(directory, _backend, Limits.TorchThreads, Limits.MaxBatch, retiring, Take, Finished,
            () => Interlocked.Increment(ref _stepsComputed));
        _workers[directory] = worker;
        return worker;
    }

    private void Retire(CheckpointWorker worker)
    {
        _workers.Remove(worker.Directory);
        _logger.LogInformation("Unloading checkpoint {Directory}", worker.Directory);
        _retiring.Add(worker.RetireAsync());
    }

    private void Enqueue(CheckpointWorker worker, RefinementJob job)
    {
        worker.Waiting.AddLast(job);
        worker.LastUsed = ++_clock;
        worker.Post();
    }

    /// <summary>On the worker's thread: the next job to start, or null when none waits or the worker runs all it may.</summary>
    private RefinementJob? Take(CheckpointWorker worker)
    {
        lock (_lock)
        {
            if (worker.Running.Count >= worker.MaxRunning || worker.Waiting.First?.Value is not { } job) return null;
            worker.Waiting.RemoveFirst();
            job.State = JobState.Running;
            worker.Running.Add(job);
            worker.LastUsed = ++_clock;
            TellPositions();
            return job;
        }
    }

    /// <summary>On the worker's thread, after the job's last frame: frees its place and hands an idle slot to a waiter.</summary>
    private void Finished(CheckpointWorker worker, RefinementJob job)
    {
        lock (_lock)
        {
            worker.Running.Remove(job);
            Release(job);
            if (worker.Waiting.Count > 0) worker.Post();   // its place goes to the next waiting job
            if (worker.IsIdle && (worker.LoadFailed || _slotWaiters.Count > 0) && _workers.GetValueOrDefault(worker.Directory) == worker)
                Retire(worker);
            AdmitSlotWaiters();
            TellPositions();
        }
    }

    /// <summary>Gives free or idle slots to the requests waiting for one, first come first served.</summary>
    private void AdmitSlotWaiters()
    {
        while (_slotWaiters.First?.Value is { } first && WorkerFor(first.Directory) is { } worker)
        {
            for (LinkedListNode<RefinementJob>? node = _slotWaiters.First; node is not null;)
            {
                LinkedListNode<RefinementJob>? next = node.Next;
                if (node.Value.Directory == first.Directory)
                {
                    _slotWaiters.Remove(node);
                    Enqueue(worker, node.Value);
                }
                node = next;
            }
        }
    }

    /// <summary>Stops a job: a waiting one leaves its queue at once, a running one stops within one refinement step.</summary>
    private void Cancel(RefinementJob job)
    {
        lock (_lock) CancelLocked(job);
    }

    private void CancelLocked(RefinementJob job)
    {
        switch (job.State)
        {
            case JobState.Waiting:
                if (!_slotWaiters.Remove(job) && _workers.GetValueOrDefault(job.Directory) is { } worker) worker.Waiting.Remove(job);
                Release(job);
                job.Complete();
                TellPositions();
                return;
            case JobState.Running:
                job.Stop.Cancel();
                return;
        }
    }

    private void Release(RefinementJob job)
    {
        if (job.State == JobState.Finished) return;
        job.State = JobState.Finished;
        _reservedTotal--;
        int left = _reserved[job.Directory] - 1;
        if (left == 0) _reserved.Remove(job.Directory);
        else _reserved[job.Directory] = left;
    }

    /// <summary>
    /// Sends each waiting job its place when it changed: on its worker, the jobs before it (the running one
    /// included); waiting for a slot, the waiters before it plus the shortest queue among the loaded checkpoints.
    /// </summary>
    private void TellPositions()
    {
        foreach (CheckpointWorker worker in _workers.Values)
        {
            // the jobs before it: the waiting ones, and a running one for the place it waits for (none while places are free)
            int ahead = worker.Running.Count - worker.MaxRunning + 1;
            foreach (RefinementJob job in worker.Waiting) Tell(job, ahead++);
        }
        int shortest = _workers.Count == 0 ? 0 : _workers.Values.Min(w => w.Reserved);
        int before = 0;
        foreach (RefinementJob job in _slotWaiters) Tell(job, shortest + before++);
    }

    private static void Tell(RefinementJob job, int ahead)
    {
        if (ahead <= 0 || ahead == job.LastAhead) return;
        job.LastAhead = ahead;
        job.Write(new QueuedFrame(ahead));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _unloading.Value;

    /// <summary>Stops every job and unloads every model on its own thread (safe after, before or during StopAsync).</summary>
    public void Dispose() => _unloading.Value.Wait(TimeSpan.FromSeconds(10));

    // One unload for both shutdown paths: the host may call StopAsync and Dispose in either order, even at once.
    private async Task UnloadCoreAsync()
    {
        List<Task> retiring;
        lock (_lock)
        {
            _stopped = true;
            foreach (RefinementJob job in _slotWaiters.Concat(_workers.Values.SelectMany(w => w.Waiting)).ToList()) CancelLocked(job);
            foreach (RefinementJob job in _workers.Values.SelectMany(w => w.Running)) job.Stop.Cancel();
            foreach (CheckpointWorker worker in _workers.Values.ToList()) Retire(worker);
            retiring = [.. _retiring];
        }
        await Task.WhenAll(retiring);
    }
}
