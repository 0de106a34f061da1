using System.Diagnostics;
using System.Runtime.CompilerServices;
using Isrm.Model.Checkpoints;
using Isrm.Model.Reasoning;
using Microsoft.Extensions.Options;
using Isrm.Web.Options;

namespace Isrm.Web.Puzzles;

/// <summary>
/// The puzzle solver, in process: validates a request, keeps at most <see cref="PuzzleOptions.MaxLoadedCheckpoints"/>
/// puzzle checkpoints loaded (each a <see cref="PuzzleSession"/> on its own model thread, least recently used idle one
/// unloaded first), lets <see cref="PuzzleOptions.QueueCapacity"/> solves wait per checkpoint, and streams
/// <see cref="SolveFrame"/>s thinned by <see cref="FrameSampler"/>. The page injects it; the hub's <c>Solve</c> adapts it.
/// </summary>
public sealed class PuzzleService(PuzzleCatalog catalog, PuzzleCurves curves, IOptions<PuzzleOptions> options, ILogger<PuzzleService> logger)
    : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private long _clock;
    private long _stepsComputed;
    private bool _disposed;

    public PuzzleOptions Limits => options.Value;

    /// <summary>Steps the model computed for every solve since start (tests see that a stopped solve stopped).</summary>
    public long StepsComputed => Interlocked.Read(ref _stepsComputed);

    /// <summary>Solves running or waiting, over all checkpoints.</summary>
    public int Pending
    {
        get { lock (_lock) return _reserved.Values.Sum(); }
    }

    public IReadOnlyList<PuzzleCheckpointListing> ListCheckpoints() => catalog.List();

    /// <summary>The accuracy-vs-K results written for <paramref name="checkpoint"/>, or null.</summary>
    public PuzzleCurve? Curve(string checkpoint) => curves.For(checkpoint);

    /// <summary>The accuracy-vs-K curves of the text-task checkpoints (the ISRM on addition, parity), for the same chart.</summary>
    public IReadOnlyList<PuzzleCurve> TextTaskCurves() => curves.TextTaskCurves();

    /// <summary>
    /// Streams <c>puzzle</c>, the reported steps and <c>puzzle-done</c>; or <see cref="PuzzleErrorFrame"/> as the last
    /// frame when the request is refused or fails. Cancelling stops the model before its next step and throws
    /// <see cref="OperationCanceledException"/>; leaving the enumeration early stops it too.
    /// </summary>
    public async IAsyncEnumerable<SolveFrame> Solve(SolveRequest request, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        ValidSolve? solve = SolveRequestValidator.Validate(request, catalog, Limits, out string error);
        if (solve is null)
        {
            yield return new PuzzleErrorFrame(error);
            yield break;
        }
        if (!Reserve(solve.Directory, out error))
        {
            yield return new PuzzleErrorFrame(error);
            yield break;
        }
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            Puzzle p = solve.Puzzle;
            yield return new PuzzleStartFrame(solve.Checkpoint, p.Task.Name(), p.Size, p.Height, p.Width, p.Cells,
                p.Target.Select(t => t ? (byte)1 : (byte)0).ToArray(), solve.K, solve.Cap, Limits.DenseSteps);
            await foreach (SolveFrame frame in Run(solve, stopping.Token)) yield return frame;
        }
        finally
        {
            stopping.Cancel();   // a caller that leaves early stops the model too
            Release(solve.Directory);
        }
    }

    private async IAsyncEnumerable<SolveFrame> Run(ValidSolve solve, [EnumeratorCancellation] CancellationToken cancellation)
    {
        PuzzleSession? session = null;
        string? failure = null;
        try { session = await AcquireAsync(solve.Directory); }
        catch (CheckpointException e) { failure = e.Message; }
        if (session is null)
        {
            yield return new PuzzleErrorFrame(failure!);
            yield break;
        }
        try
        {
            var model = new PuzzleSolveOptions { K = solve.K, Cap = solve.Cap, Stride = 1 };
            var clock = Stopwatch.StartNew();
            await using IAsyncEnumerator<PuzzleFrame> frames = session.SolveAsync(solve.Puzzle, model, cancellation).GetAsyncEnumerator(cancellation);
            while (true)
            {
                try
                {
                    if (!await frames.MoveNextAsync()) yield break;
                }
                catch (PuzzleFormatException e)
                {
                    failure = SolveRequestValidator.Sentence(e.Message);
                }
                if (failure is not null)
                {
                    yield return new PuzzleErrorFrame(failure);
                    yield break;
                }
                PuzzleFrame f = frames.Current;
                Interlocked.Increment(ref _stepsComputed);
                double elapsed = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
                if (f.IsLast || f.SolvedAt == f.Step || FrameSampler.Keep(f.Step, Limits.DenseSteps))
                    yield return new PuzzleStepFrame(f.Step, f.Probabilities, f.Correct, f.Cells, f.Changed, f.Solved, f.SolvedAt, elapsed);
                if (f.IsLast)
                {
                    string reason = solve.K is not null ? "k" : f.Stopped ? "stable" : "cap";
                    yield return new PuzzleDoneFrame(f.Step, f.Solved, f.SolvedAt, f.Correct, f.Cells, reason, elapsed);
                    yield break;
                }
            }
        }
        finally
        {
            Return(solve.Directory);
        }
    }

    private bool Reserve(string directory, out string error)
    {
        lock (_lock)
        {
            int reserved = _reserved.GetValueOrDefault(directory);
            if (_disposed || reserved >= Limits.QueueCapacity + 1)
            {
                error = $"The puzzle model '{Path.GetFileName(directory)}' is busy: {reserved} {(reserved == 1 ? "solve is" : "solves are")} running or waiting; try again in a moment.";
                return false;
            }
            _reserved[directory] = reserved + 1;
        }
        error = "";
        return true;
    }

    private void Release(string directory)
    {
        lock (_lock) if (--_reserved[directory] == 0) _reserved.Remove(directory);
    }

    private async Task<PuzzleSession> AcquireAsync(string directory)
    {
        Entry entry;
        lock (_lock)
        {
            if (!_sessions.TryGetValue(directory, out entry!))
            {
                logger.LogInformation("Loading puzzle checkpoint {Directory}", directory);
                _sessions[directory] = entry = new Entry(PuzzleSession.OpenAsync(directory, Limits.TorchThreads));
            }
            entry.Users++;
            entry.LastUsed = ++_clock;
        }
        try
        {
            return await entry.Opening;
        }
        catch
        {
            lock (_lock)
            {
                entry.Users--;
                if (_sessions.TryGetValue(directory, out Entry? same) && same == entry) _sessions.Remove(directory);
            }
            throw;
        }
    }

    private void Return(string directory)
    {
        List<PuzzleSession> evicted = [];
        lock (_lock)
        {
            if (_sessions.TryGetValue(directory, out Entry? entry)) entry.Users--;
            foreach (var (name, idle) in _sessions.Where(e => e.Value.Users == 0 && e.Value.Opening.IsCompletedSuccessfully)
                         .OrderBy(e => e.Value.LastUsed).ToList())
            {
                if (_sessions.Count <= Limits.MaxLoadedCheckpoints) break;
                _sessions.Remove(name);
                evicted.Add(idle.Opening.Result);
            }
        }
        foreach (PuzzleSession old in evicted) old.Dispose();
    }

    /// <summary>Names of the puzzle checkpoints in memory, least recently used first.</summary>
    public IReadOnlyList<string> Loaded
    {
        get { lock (_lock) return _sessions.OrderBy(e => e.Value.LastUsed).Select(e => Path.GetFileName(e.Key)).ToList(); }
    }

    public void Dispose()
    {
        List<Entry> all;
        lock (_lock)
        {
            _disposed = true;
            all = _sessions.Values.ToList();
            _sessions.Clear();
        }
        foreach (Entry e in all.Where(e => e.Opening.IsCompletedSuccessfully)) e.Opening.Result.Dispose();
    }

    private sealed class Entry(Task<PuzzleSession> opening)
    {
        public Task<PuzzleSession> Opening { get; } = opening;
        public int Users { get; set; }
        public long LastUsed { get; set; }
    }
}
