using Isrm.Model.Runtime;

namespace Isrm.Web.Refinement;

/// <summary>
/// One loaded checkpoint — a text model or a puzzle network — and the dedicated thread that owns its tensors
/// (TorchSharp's dispose scopes and no-grad state are per thread). Runs its jobs (generations or solves) one at a
/// time in arrival order; the queue itself (<see cref="Waiting"/>,
/// <see cref="Running"/>) is kept by <see cref="RefinementService"/> under its lock. A batched step would take
/// several waiting jobs in <see cref="RunNext"/> instead of one.
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
        string directory, IGenerationBackend backend, int torchThreads, Task retiring,
        Func<CheckpointWorker, RefinementJob?> take, Action<CheckpointWorker, RefinementJob> finished, Action stepComputed)
    {
        Directory = directory;
        _backend = backend;
        _take = take;
        _finished = finished;
        _stepComputed = stepComputed;
        _thread = new ModelThread("isrm-web-model", Math.Max(1, torchThreads));
        // A worker that replaces an evicted one loads only once the old model is gone: memory stays bounded.
        _ = _thread.RunAsync(() => retiring.Wait());
    }

    public string Directory { get; }

    /// <summary>Jobs waiting for this worker, in arrival order (guarded by the service's lock).</summary>
    public LinkedList<RefinementJob> Waiting { get; } = new();

    /// <summary>The job on the thread now (guarded by the service's lock).</summary>
    public RefinementJob? Running { get; set; }

    /// <summary>Recency for least-recently-used eviction (guarded by the service's lock).</summary>
    public long LastUsed { get; set; }

    /// <summary>Jobs running or waiting here.</summary>
    public int Reserved => Waiting.Count + (Running is null ? 0 : 1);

    public bool IsIdle => Reserved == 0;

    /// <summary>The weights would not load; the service retires such a worker once it is idle, so a fixed folder is tried again.</summary>
    public bool LoadFailed => Volatile.Read(ref _loadError) is not null;

    /// <summary>True once the weights are in memory.</summary>
    public bool IsLoaded => Volatile.Read(ref _model) is not null;

    /// <summary>Asks the thread to run the next waiting job (one call per job added to <see cref="Waiting"/>).</summary>
    public void Post() => _ = _thread.RunAsync(RunNext);

    /// <summary>Unloads the model on its own thread and stops the thread; the task ends when both are done.</summary>
    public async Task RetireAsync()
    {
        await _thread.RunAsync(() =>
        {
            _model?.Dispose();
            _model = null;
        });
        _thread.Dispose();
    }

    private void RunNext()
    {
        RefinementJob? job = _take(this);
        if (job is null) return;   // it was cancelled while it waited
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
