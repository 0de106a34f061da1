namespace Isrm.Model.Refinement;

/// <summary>A network that makes the caches of the requests it refines (a <see cref="StepScheduler"/>: caches in shared slots).</summary>
public interface ICacheSource
{
    RefinementCache NewCache(IsrmConfig config, Device device);
}

/// <summary>
/// One run's call of <see cref="IStepNetwork.Step"/>, as <see cref="StepScheduler"/> collects it. <paramref name="Shape"/>:
/// the input's shape, read once per run (TorchSharp asks libtorch for every dimension of every <c>shape</c>).
/// <paramref name="ReadOut"/>: the read-outs of the step's answer state the run needs next, which the scheduler computes
/// for the joined rows at once.
/// </summary>
public sealed record StepCall(
    Tensor X, Tensor Y, Tensor Z, int K, float? AlphaOverride, StepPlace Place, bool Norms, long[] Shape, StepReadOut? ReadOut = null);

/// <summary>
/// The read-outs a run asks of its next state: log-probabilities, their KL to <see cref="Previous"/> (when given),
/// halting, and its first row's last position on the host (<see cref="RefinementOptions.HostLastPosition"/>).
/// </summary>
public sealed record StepReadOut(Tensor? Previous, bool Halt, bool Host = false);

/// <summary>Read-outs of a state (<see cref="Refiner.ReadOut"/>): log-probabilities (B, N, V), KL to the previous step's and halting (B, N).</summary>
public sealed record StepReadings(Tensor LogProbs, Tensor? Kl, Tensor? Halt)
{
    /// <summary>
    /// The first row's last position on the host, with the step's norms, when asked. A scheduler that made it hands the
    /// run its delta, residual and halting on the host only: those tensors of its step are null.
    /// </summary>
    public HostReadings? Host { get; init; }
}

/// <summary>
/// A network that can run the steps of several runs as one call. Calls with equal <see cref="BatchKey"/> may be
/// joined; a null key runs the call alone. <see cref="StepBatch"/> returns the calls' rows one after another in one
/// output (rows of dimension 0, in call order) and each call's α: each call's rows equal what
/// <see cref="IStepNetwork.Step"/> gives that call alone (up to the rounding of a larger matrix product).
/// </summary>
public interface IBatchableSteps
{
    object? BatchKey(StepCall call);

    (StepOutput Rows, float[] Alphas) StepBatch(IReadOnlyList<StepCall> calls);
}

/// <summary>
/// A network whose steps are computed later, together with other runs' steps (<see cref="StepScheduler.Network"/>):
/// <see cref="Refiner.Run"/> hands it the call, yields <see cref="RefinementStep.Waiting"/>, and takes the output once
/// the scheduler has run the waiting steps.
/// </summary>
public interface IDeferredSteps
{
    PendingStep Defer(StepCall call);
}

/// <summary>A step handed to a <see cref="StepScheduler"/>; its output is there once the scheduler ran its waiting steps.</summary>
public sealed class PendingStep
{
    internal PendingStep(StepCall call, object? key) => (Call, Key) = (call, key);

    public StepCall Call { get; }
    internal object? Key { get; }
    internal StepOutput? Output { get; set; }
    internal Exception? Fault { get; set; }

    /// <summary>The output, moved into the caller's dispose scope (as the output of a step of its own would be).</summary>
    public StepOutput Take()
    {
        if (Fault is not null) throw new InvalidOperationException("a joined refinement step failed", Fault);
        StepOutput o = Output ?? throw new InvalidOperationException("the step was taken before the scheduler ran it");
        Output = null;
        if (CurrentDisposeScope is { } scope)
            foreach (Tensor? t in new[] { o.Y, o.Z, o.Delta, o.Residual, o.Readings?.LogProbs, o.Readings?.Kl, o.Readings?.Halt })
                if (t is not null) scope.Attach(t);
        return o;
    }
}

/// <summary>
/// Continuous batching at the engine's seam, on one thread. The runs on one network — each a generation or a solve
/// with its own cache, length, K, seed, sampling and stop rule — are iterators the scheduler advances in turn
/// (<see cref="Add"/>, <see cref="Advance"/>); each refines through <see cref="Network"/>, whose steps
/// <see cref="Refiner.Run"/> hands over (<see cref="IDeferredSteps"/>) and waits for. Once every run waits at a step,
/// the steps that can be joined (<see cref="IBatchableSteps"/>) run as one call per key, the others alone, and the runs
/// go on. Runs join and leave between steps; a cancelled run ends at its next step, as it would alone. No thread hands
/// work to another: what each run does between its steps (read-outs, sampling, frames) runs on the scheduler's thread
/// between joined steps. A scheduler without a network drives runs that never wait (a stand-in model's), a few items each per turn.
/// </summary>
public sealed class StepScheduler : IDisposable
{
    private readonly IStepNetwork? _inner;
    private readonly IStepNetwork? _network;   // _inner with its steps deferred here
    private readonly KvSlots? _slots;
    private readonly IBatchableSteps? _batchable;
    private readonly List<PendingStep> _pending = [];
    private readonly List<ScheduledRun> _runs = [];
    private long _batches, _rows, _widest, _joinedTicks;

    /// <param name="network">The network the runs refine with; null for a scheduler of runs that never wait at a step.</param>
    /// <param name="slots">
    /// Runs whose keys and values are kept side by side (<see cref="KvSlots"/>, for an attention model): their joined
    /// steps read and write every cache in one call. 0 keeps every cache apart.
    /// </param>
    public StepScheduler(IStepNetwork? network = null, int slots = 0)
    {
        _inner = network;
        _batchable = network as IBatchableSteps;
        if (slots > 0 && network is IsrmModel { Config.IsRecurrent: false } model) _slots = new KvSlots(model.Config, model.Device, slots);
        _network = network is null ? null : new DeferringNetwork(this, network);
    }

    public void Dispose()
    {
        foreach (ScheduledRun run in _runs) run.Steps.Dispose();
        _runs.Clear();
        _slots?.Dispose();
    }

    /// <summary>The network to refine with: its steps wait for the scheduler, which joins them with other runs' steps.</summary>
    public IStepNetwork Network => _network ?? throw new InvalidOperationException("this scheduler has no network: its runs never wait at a step.");

    /// <summary>Joined steps run so far, the rows they held in all, and the most rows in one (readable from any thread).</summary>
    public (long Batches, long Rows, long Widest) Counts => (Interlocked.Read(ref _batches), Interlocked.Read(ref _rows), Interlocked.Read(ref _widest));

    /// <summary>Seconds spent computing the waiting steps (the network's share of the scheduler's time), for benchmarks.</summary>
    public double JoinedSeconds => Interlocked.Read(ref _joinedTicks) / (double)Stopwatch.Frequency;

    /// <summary>Runs now (added and not yet ended).</summary>
    public int Running => _runs.Count;

    /// <summary>
    /// Adds a run: an iterator that yields true where it waits at a step of <see cref="Network"/> (its refinement yielded
    /// <see cref="RefinementStep.Waiting"/>) and false after anything else it did (a frame written). <paramref name="ended"/>
    /// is called once when it ends: with null, or with the exception it threw.
    /// </summary>
    public void Add(IEnumerable<bool> run, Action<Exception?> ended) => _runs.Add(new ScheduledRun(run.GetEnumerator(), ended));

    /// <summary>Items a run that does not wait advances by per turn (a stand-in model's runs never wait: they take turns).</summary>
    public const int ItemsPerTurn = 4;

    /// <summary>
    /// One round on the calling thread: every run that is not waiting advances until it waits at its next step (at most
    /// <see cref="ItemsPerTurn"/> items), each turn in a dispose scope of its own (what a run keeps past its turn it owns,
    /// as <see cref="Refiner"/> does); once every run waits, their steps run (<see cref="RunWaiting"/>) and all go on.
    /// </summary>
    public void Advance()
    {
        for (int i = 0; i < _runs.Count; i++)
        {
            ScheduledRun run = _runs[i];
            if (run.Waiting) continue;
            Exception? fault = null;
            bool more = true;
            try
            {
                using (NewDisposeScope())
                    for (int item = 0; item < ItemsPerTurn && !run.Waiting && (more = run.Steps.MoveNext()); item++)
                        run.Waiting = run.Steps.Current;
            }
            catch (Exception e)
            {
                fault = e;
                more = false;
            }
            if (more) continue;
            run.Steps.Dispose();
            _runs.RemoveAt(i--);
            run.Ended(fault);
        }
        if (_runs.Count > 0 && _runs.TrueForAll(r => r.Waiting))
        {
            RunWaiting();
            foreach (ScheduledRun run in _runs) run.Waiting = false;
        }
    }

    /// <summary>Advances the runs until every one has ended.</summary>
    public void RunAll()
    {
        using var inference = inference_mode();
        while (_runs.Count > 0) Advance();
    }

    /// <summary>Runs every waiting step: one call per batch key (<see cref="IBatchableSteps"/>), a step without one alone.</summary>
    public void RunWaiting()
    {
        if (_pending.Count == 0) return;
        long began = Stopwatch.GetTimestamp();
        PendingStep[] waiting = [.. _pending];
        _pending.Clear();
        foreach (IGrouping<object, PendingStep> group in waiting.Where(p => p.Key is not null).GroupBy(p => p.Key!))
            Compute([.. group]);
        foreach (PendingStep alone in waiting.Where(p => p.Key is null)) Compute([alone]);
        Interlocked.Add(ref _joinedTicks, Stopwatch.GetTimestamp() - began);
    }

    private void Compute(PendingStep[] calls)
    {
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            StepOutput rows;
            float[] alphas;
            if (calls.Length == 1)
            {
                rows = StepOf(_inner!, calls[0].Call);
                alphas = [rows.Alpha];
            }
            else (rows, alphas) = _batchable!.StepBatch(calls.Select(p => p.Call).ToList());
            StepOutput[] outputs = Split(rows, alphas, calls);
            for (int i = 0; i < calls.Length; i++) calls[i].Output = outputs[i];
            if (calls[0].Key is null) return;
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _rows, calls.Length);
            if (calls.Length > Interlocked.Read(ref _widest)) Interlocked.Exchange(ref _widest, calls.Length);
        }
        catch (Exception e)
        {
            foreach (PendingStep p in calls) p.Fault = e;
        }
    }

    // The joined rows read out in one pass (the calls of one key ask the same read-outs), their host copies in one copy,
    // then each call's rows as its own output, out of the computing scope (the run takes them over: PendingStep.Take).
    private StepOutput[] Split(StepOutput rows, float[] alphas, PendingStep[] calls)
    {
        StepReadings? readings = null;
        HostReadings[]? host = null;
        if (calls[0].Call.ReadOut is { } readOut)
        {
            Tensor? previous = readOut.Previous is null ? null
                : calls.Length == 1 ? readOut.Previous : cat(calls.Select(c => c.Call.ReadOut!.Previous!).ToArray(), 0);
            readings = Refiner.ReadOut(_inner!, rows.Y, previous, readOut.Halt);
            if (readOut.Host) host = HostReadings.LastPositions(readings.LogProbs, rows.Delta, rows.Residual, readings.Kl, readings.Halt);
        }
        // With host copies the run reads its norms and halting there: their tensors are not handed over.
        Tensor? delta = host is null ? rows.Delta : null, residual = host is null ? rows.Residual : null, halt = host is null ? readings?.Halt : null;
        long[] counts = calls.Select(c => c.Call.Shape[0]).ToArray();
        Tensor[]? Parts(Tensor? t) => t is null ? null : calls.Length == 1 ? [t] : t.split(counts, 0);
        Tensor[] ys = Parts(rows.Y)!, zs = Parts(rows.Z.numel() == 0 ? null : rows.Z) ?? calls.Select(_ => rows.Z.alias()).ToArray();
        Tensor[]? deltas = Parts(delta), residuals = Parts(residual), logProbs = Parts(readings?.LogProbs), kls = Parts(readings?.Kl), halts = Parts(halt);
        var outputs = new StepOutput[calls.Length];
        long first = 0;
        for (int i = 0; i < calls.Length; i++)
        {
            outputs[i] = new StepOutput(ys[i].DetachFromDisposeScope(), zs[i].DetachFromDisposeScope(), alphas[i],
                deltas?[i].DetachFromDisposeScope(), residuals?[i].DetachFromDisposeScope())
            {
                Readings = logProbs is null ? null
                    : new StepReadings(logProbs[i].DetachFromDisposeScope(), kls?[i].DetachFromDisposeScope(), halts?[i].DetachFromDisposeScope()) { Host = host?[first] },
            };
            first += counts[i];
        }
        return outputs;
    }

    private PendingStep Defer(StepCall call)
    {
        object? key = _batchable?.BatchKey(call);   // the engine defers only steps without gradients
        // Calls of one key ask the same read-outs, so one pass serves them all.
        if (key is not null && call.ReadOut is { } readOut) key = (key, readOut.Previous is null, readOut.Halt, readOut.Host);
        else if (key is not null) key = (key, "none");
        var pending = new PendingStep(call, key);
        _pending.Add(pending);
        return pending;
    }

    // One call's step on the network itself.
    private static StepOutput StepOf(IStepNetwork network, StepCall call) =>
        network.Step(call.X, call.Y, call.Z, call.K, call.AlphaOverride, call.Place, call.Norms);

    private sealed class ScheduledRun(IEnumerator<bool> steps, Action<Exception?> ended)
    {
        public IEnumerator<bool> Steps { get; } = steps;
        public Action<Exception?> Ended { get; } = ended;
        public bool Waiting { get; set; }
    }

    // The inner network with its steps deferred to the scheduler; everything else is the inner network's own.
    private sealed class DeferringNetwork(StepScheduler scheduler, IStepNetwork inner) : IStepNetwork, ICacheSource, IDeferredSteps
    {
        public RefinementCache NewCache(IsrmConfig config, Device device) =>
            scheduler._slots is { } slots ? new RefinementCache(config, device, slots) : new RefinementCache(config, 1, device);

        public PendingStep Defer(StepCall call) => scheduler.Defer(call);

        public bool IsSinglePass => inner.IsSinglePass;

        public AndersonMixer? NewMixer() => inner.NewMixer();

        public Tensor Inject(Tensor x, StepPlace place) => inner.Inject(x, place);

        public (Tensor Y, Tensor Z) InitialState(Tensor x, StepPlace place, ulong? seed) => inner.InitialState(x, place, seed);

        // Called outside a scheduler's round (a run driven by hand): computed at once.
        public StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, StepPlace place, bool norms) =>
            inner.Step(x, y, z, k, alphaOverride, place, norms);

        public Tensor Logits(Tensor y) => inner.Logits(y);

        public Tensor HaltProbability(Tensor y) => inner.HaltProbability(y);
    }
}
