using Isrm.Model.Runtime;

namespace Isrm.Web.Refinement;

/// <summary>
/// One loaded checkpoint — a text model or a puzzle network — on a thread of its own (TorchSharp's dispose scopes and
/// no-grad state are per thread). That thread loads and unloads the weights and runs every job: up to
/// <see cref="MaxRunning"/> at once, each a run of the model's <see cref="StepScheduler"/>, which advances them in turn
/// and joins their refinement steps into one batched step (continuous batching); jobs join and leave between steps.
/// The queue itself (<see cref="Waiting"/>, <see cref="Running"/>) is kept by <see cref="RefinementService"/> under its lock.
/// </summary>
internal sealed class CheckpointWorker
{
    private readonly IGenerationBackend _backend;
    private readonly ModelThread _thread;
    private readonly Func<CheckpointWorker, RefinementJob?> _take;
    private readonly Action<CheckpointWorker, RefinementJob> _finished;
    private readonly Action _stepComputed;
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

    /// <summary>Joined steps of the loaded model so far (<see cref="StepScheduler.Counts"/>).</summary>
    public (long Batches, long Rows, long Widest) Batching => Volatile.Read(ref _model)?.Scheduler.Counts ?? default;

    /// <summary>Asks the worker to start waiting jobs while it has room (after a job is added or one finished).</summary>
    public void Post() => _ = _thread.RunAsync(Schedule);

    /// <summary>Unloads the model on its own thread, after the jobs running there have ended; the task ends when all is done.</summary>
    public async Task RetireAsync()
    {
        await _thread.RunAsync(() =>
        {
            _model?.Dispose();
            _model = null;
        });
        _thread.Dispose();
    }

    // On the worker's thread: loads the model once, then runs the jobs until none is running or may start. Every round
    // first takes the jobs that may start (they join between steps), then advances every running job by one item; when
    // all wait at a step, the scheduler runs their steps together. A job posted while this runs is taken in a round, or
    // by the Schedule queued behind it.
    private void Schedule()
    {
        using var inference = TorchSharp.torch.inference_mode();   // every job's tensors, on this one thread
        while (true)
        {
            while (_take(this) is { } job)
            {
                try
                {
                    if (_model is null && _loadError is null) Load();
                }
                catch (Exception e)
                {
                    Finish(job, e);   // a failure no sentence explains: this job ends with it, the next one tries again
                    continue;
                }
                if (_loadError is not null)
                {
                    job.Write(new ErrorFrame(_loadError));
                    Finish(job, null);
                }
                else _model!.Scheduler.Add(Frames(job), fault => Finish(job, fault));
            }
            if (_model is not { Scheduler: { Running: > 0 } scheduler }) return;
            scheduler.Advance();
        }
    }

    private void Finish(RefinementJob job, Exception? fault)
    {
        switch (fault)
        {
            case CheckpointException or ArgumentException:   // a puzzle's PuzzleFormatException among them
                job.Write(new ErrorFrame(fault.Message));   // a request the model itself refuses
                fault = null;
                break;
        }
        _finished(this, job);
        job.Complete(fault);
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

    // A job as a run of the scheduler: its frames written as they come; true where it waits at a refinement step.
    private IEnumerable<bool> Frames(RefinementJob job) => job.Solve is { } solve ? Solve(job, solve) : Generate(job);

    private IEnumerable<bool> Generate(RefinementJob job)
    {
        CancellationToken stop = job.Stop.Token;
        foreach (GenerationEvent e in _model!.Generate(job.Request!, stop))
        {
            if (e is StepWaitEvent)
            {
                yield return true;
                continue;
            }
            if (e is StepEvent) _stepComputed();
            job.Write(RefinementFrame.From(e));
            if (stop.IsCancellationRequested) yield break;
            yield return false;
        }
    }

    /// <summary>Streams a solve's steps, thinned past the dense steps (<see cref="FrameSampler"/>), and its end.</summary>
    private IEnumerable<bool> Solve(RefinementJob job, SolveJob solve)
    {
        CancellationToken stop = job.Stop.Token;
        var clock = Stopwatch.StartNew();
        foreach (PuzzleFrame f in _model!.Solve(solve.Puzzle, solve.Options, stop))
        {
            if (f.IsWaiting)
            {
                yield return true;
                continue;
            }
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
            if (stop.IsCancellationRequested) yield break;
            yield return false;
        }
    }
}
