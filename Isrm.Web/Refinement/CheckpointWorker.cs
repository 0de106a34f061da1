using System.Collections.Concurrent;

using Isrm.Model.Runtime;

namespace Isrm.Web.Refinement;

/// <summary>
/// One loaded checkpoint — a text model or a puzzle network. Its own thread loads and unloads the weights; every
/// running job (generation or solve) has a thread of its own (TorchSharp's dispose scopes and no-grad state are per
/// thread), up to <see cref="MaxRunning"/> at once, and the loaded model joins their refinement steps into one batched
/// step (<see cref="StepBatcher"/>): requests join and leave between steps. The queue itself (<see cref="Waiting"/>,
/// <see cref="Running"/>) is kept by <see cref="RefinementService"/> under its lock.
/// </summary>
internal sealed class CheckpointWorker
{
    private readonly IGenerationBackend _backend;
    private readonly ModelThread _thread;
    private readonly Func<CheckpointWorker, RefinementJob?> _take;
    private readonly Action<CheckpointWorker, RefinementJob> _finished;
    private readonly Action _stepComputed;
    private readonly List<Task> _jobs = [];
    private readonly BlockingCollection<Action> _ready = new();   // started jobs for the request threads
    private int _requestThreads, _busy;                            // guarded by _jobs
    private ILoadedModel? _model;
    private string? _loadError;

    public CheckpointWorker(
        string directory, IGenerationBackend backend, int torchThreads, int maxRunning, Task retiring,
        Func<CheckpointWorker, RefinementJob?> take, Action<CheckpointWorker, RefinementJob> finished, Action stepComputed)
    {
        Directory = directory;
        MaxRunning = Math.Max(1, maxRunning);
        _backend = backend;
        _take = take;
        _finished = finished;
        _stepComputed = stepComputed;
        _thread = new ModelThread("isrm-web-model", Math.Max(1, torchThreads));
        // A worker that replaces an evicted one loads only once the old model is gone: memory stays bounded.
        _ = _thread.RunAsync(() => retiring.Wait());
    }

    public string Directory { get; }

    /// <summary>Jobs refined together at most (<see cref="ModelServiceOptions.MaxBatch"/>); more wait in <see cref="Waiting"/>.</summary>
    public int MaxRunning { get; }

    /// <summary>Jobs waiting for this worker, in arrival order (guarded by the service's lock).</summary>
    public LinkedList<RefinementJob> Waiting { get; } = new();

    /// <summary>The jobs running now, in the order they started (guarded by the service's lock).</summary>
    public List<RefinementJob> Running { get; } = [];

    /// <summary>Recency for least-recently-used eviction (guarded by the service's lock).</summary>
    public long LastUsed { get; set; }

    /// <summary>Jobs running or waiting here.</summary>
    public int Reserved => Waiting.Count + Running.Count;

    public bool IsIdle => Reserved == 0;

    /// <summary>The weights would not load; the service retires such a worker once it is idle, so a fixed folder is tried again.</summary>
    public bool LoadFailed => Volatile.Read(ref _loadError) is not null;

    /// <summary>True once the weights are in memory.</summary>
    public bool IsLoaded => Volatile.Read(ref _model) is not null;

    /// <summary>Joined steps of the loaded model so far (<see cref="ILoadedModel.Batching"/>).</summary>
    public (long Batches, long Rows, long Widest) Batching => Volatile.Read(ref _model)?.Batching ?? default;

    /// <summary>Asks the worker to start waiting jobs while it has room (after a job is added or one finished).</summary>
    public void Post() => _ = _thread.RunAsync(StartWaiting);

    /// <summary>Stops the running jobs' threads, then unloads the model on its own thread; the task ends when all are done.</summary>
    public async Task RetireAsync()
    {
        await _thread.RunAsync(() =>
        {
            Task[] jobs;
            lock (_jobs) jobs = [.. _jobs];
            Task.WaitAll(jobs, TimeSpan.FromSeconds(30));   // cancelled jobs stop within one refinement step
            _ready.CompleteAdding();                        // the request threads end
            _model?.Dispose();
            _model = null;
        });
        _thread.Dispose();
    }

    // On the worker's thread: loads the model once, then hands every job it may start to a request thread of its own
    // (kept for the next job: at most MaxRunning, made as they are first needed).
    private void StartWaiting()
    {
        while (_take(this) is { } job)
        {
            if (_model is null && _loadError is null) Load();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_jobs)
            {
                _jobs.RemoveAll(t => t.IsCompleted);
                _jobs.Add(done.Task);
                if (++_busy > _requestThreads)
                {
                    _requestThreads++;
                    new Thread(RequestThread) { IsBackground = true, Name = "isrm-web-request" }.Start();
                }
            }
            _ready.Add(() =>
            {
                try { Run(job); }
                finally
                {
                    lock (_jobs) _busy--;
                    done.TrySetResult();
                }
            });
        }
    }

    private void RequestThread()
    {
        foreach (Action run in _ready.GetConsumingEnumerable()) run();
    }

    private void Run(RefinementJob job)
    {
        Exception? fault = null;
        try
        {
            if (_model is null && _loadError is null) Load();
            if (_loadError is not null) job.Write(new ErrorFrame(_loadError));
            else if (job.Solve is not null) Solve(job, job.Solve);
            else Generate(job);
        }
        catch (Exception e) when (e is CheckpointException or ArgumentException)
        {
            // a request the model itself refuses
            job.Write(new ErrorFrame(e.Message));
        }
        catch (PuzzleFormatException e)
        {
            job.Write(new ErrorFrame(SolveRequestValidator.Sentence(e.Message)));
        }
        catch (Exception e)
        {
            fault = e;
        }
        finally
        {
            _finished(this, job);
            job.Complete(fault);
        }
    }

    private void Load()
    {
        try
        {
            _model = _backend.Load(Directory);
        }
        catch (Exception e) when (e is CheckpointException or ArgumentException)
        {
            // a checkpoint that inspects fine but fails to load: every job here gets the sentence
            _loadError = e.Message;
        }
    }

    private void Generate(RefinementJob job)
    {
        CancellationToken stop = job.Stop.Token;
        foreach (GenerationEvent e in _model!.Generate(job.Request!, stop))
        {
            if (e is StepEvent) _stepComputed();
            job.Write(RefinementFrame.From(e));
            if (stop.IsCancellationRequested) break;
        }
    }

    /// <summary>Streams a solve's steps, thinned past the dense steps (<see cref="FrameSampler"/>), and its end.</summary>
    private void Solve(RefinementJob job, SolveJob solve)
    {
        CancellationToken stop = job.Stop.Token;
        var clock = Stopwatch.StartNew();
        foreach (PuzzleFrame f in _model!.Solve(solve.Puzzle, solve.Options, stop))
        {
            _stepComputed();
            double elapsed = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
            if (f.IsLast || f.SolvedAt == f.Step || FrameSampler.Keep(f.Step, solve.DenseSteps))
                job.Write(new PuzzleStepFrame(f.Step, f.Probabilities, f.Correct, f.Cells, f.Changed, f.Solved, f.SolvedAt, elapsed)
                {
                    Paths = f.Paths is { } paths ? PathsFrame.From(paths) : null,
                });
            if (f.IsLast)
            {
                string reason = !solve.Options.K.IsInfinite ? "k" : f.Stopped ? "stable" : "cap";
                job.Write(new PuzzleDoneFrame(f.Step, f.Solved, f.SolvedAt, f.Correct, f.Cells, reason, elapsed));
            }
            if (stop.IsCancellationRequested) break;
        }
    }
}
