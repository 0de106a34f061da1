namespace Isrm.Model.Refinement;

/// <summary>A network that makes the caches of the requests it refines (a <see cref="StepBatcher"/>: caches in shared slots).</summary>
public interface ICacheSource
{
    RefinementCache NewCache(IsrmConfig config, Device device);
}

/// <summary>One request's call of <see cref="IStepNetwork.Step"/>, as <see cref="StepBatcher"/> collects it.</summary>
public sealed record StepCall(Tensor X, Tensor Y, Tensor Z, int K, float? AlphaOverride, StepPlace Place, bool Norms);

/// <summary>
/// A network that can run the steps of several requests as one call. Calls with equal <see cref="BatchKey"/> may be
/// joined; a null key runs the call alone. <see cref="StepBatch"/> returns one output per call, equal to what
/// <see cref="IStepNetwork.Step"/> gives that call alone (up to the rounding of a larger matrix product).
/// </summary>
public interface IBatchableSteps
{
    object? BatchKey(StepCall call);

    IReadOnlyList<StepOutput> StepBatch(IReadOnlyList<StepCall> calls);
}

/// <summary>
/// Continuous batching at the engine's seam: the requests running on one network — each enumerating its own
/// <see cref="Refiner.Run"/> on its own thread, with its own cache, length, K, seed, sampling and stop rule — hand their
/// steps to <see cref="Network"/>, and the steps that can be joined (<see cref="IBatchableSteps"/>) run as one call.
/// A joined step runs when every member is waiting at it (a member inside a step that runs alone does not hold the
/// others up), or once a waiter has waited <see cref="Window"/>; the member that completes the set computes it. After
/// it, the members go on at most two at a time — each hands the floor on when it reaches its next step — so their own
/// work (read-outs, sampling, frames) does not crowd the cores or the next joined step. Members join
/// (<see cref="Join"/>) and leave between steps; a cancelled request leaves at its next step, as it would alone. One
/// member alone never waits.
/// </summary>
public sealed class StepBatcher : IDisposable
{
    private readonly IStepNetwork _inner;
    private readonly KvSlots? _slots;
    private readonly IBatchableSteps? _batchable;
    private readonly Lock _gate = new();
    private readonly List<Pending> _pending = [];   // waiting at a step
    private readonly List<Pending> _resume = [];    // step done, waiting to be handed the floor
    private int _members;
    private int _alone;
    private int _floor;                              // members running between joined steps now (at most FloorWidth)
    private bool _leading;
    private long _batches, _rows, _widest, _leadTicks;

    /// <param name="network">The network the members refine with.</param>
    /// <param name="window">How long a step waits for the other members (default 5 ms).</param>
    /// <param name="slots">
    /// Requests whose keys and values are kept side by side (<see cref="KvSlots"/>, for an attention model): their
    /// joined steps read and write every cache in one call. 0 keeps every cache apart.
    /// </param>
    public StepBatcher(IStepNetwork network, TimeSpan? window = null, int slots = 0)
    {
        _inner = network;
        _batchable = network as IBatchableSteps;
        Window = window ?? TimeSpan.FromMilliseconds(5);
        if (slots > 0 && network is IsrmModel { Config.IsRecurrent: false } model) _slots = new KvSlots(model.Config, model.Device, slots);
        Network = new BatchingNetwork(this, network);
    }

    public void Dispose() => _slots?.Dispose();

    /// <summary>The network to refine with: every member of the same batcher shares its steps.</summary>
    public IStepNetwork Network { get; }

    /// <summary>How long a step waits for the other members before it runs with those that came.</summary>
    public TimeSpan Window { get; }

    /// <summary>Joined steps run so far, the rows they held in all, and the most rows in one.</summary>
    public (long Batches, long Rows, long Widest) Counts => (Interlocked.Read(ref _batches), Interlocked.Read(ref _rows), Interlocked.Read(ref _widest));

    /// <summary>Seconds spent computing joined steps (the leaders' time in the network), for benchmarks.</summary>
    public double JoinedSeconds => Interlocked.Read(ref _leadTicks) / (double)Stopwatch.Frequency;

    /// <summary>Members now (requests between their first and last step).</summary>
    public int Members
    {
        get { lock (_gate) return _members; }
    }

    /// <summary>Makes the calling request a member until the result is disposed.</summary>
    public IDisposable Join()
    {
        lock (_gate) _members++;
        return new Membership(this);
    }

    private void Leave()
    {
        lock (_gate)
        {
            _members--;
            _floor = Math.Max(0, _floor - 1);
            NudgeLocked();
        }
    }

    private StepOutput Step(StepCall call)
    {
        object? key = _batchable is not null && !is_grad_enabled() ? _batchable.BatchKey(call) : null;
        if (key is null) return Alone(call);
        var mine = new Pending(call, key);
        List<Pending>? batch = null;
        long started = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _pending.Add(mine);
            _floor = Math.Max(0, _floor - 1);
            if (!WakeNextLocked()) batch = TakeIfAllWaitLocked();
        }
        while (batch is null && !mine.Resumed)
        {
            bool woken = mine.Signal.Wait(Window);
            lock (_gate)
            {
                if (mine.Resumed) break;
                if (mine.Done)
                {
                    // its step is done but the member before it has not handed on: go on without waiting longer
                    if (!woken && _resume.Remove(mine)) { mine.Resumed = true; _floor++; }
                    continue;
                }
                if (!_leading && _pending.Contains(mine) && (Stopwatch.GetElapsedTime(started) >= Window || _resume.Count == 0 && _pending.Count >= _members - _alone))
                    batch = TakeLocked();
            }
        }
        if (batch is not null) Lead(batch, mine);
        return mine.Adopt();
    }

    // Hands the floor to the next members whose step is done, up to FloorWidth running at once (so the members' own
    // work does not crowd the cores or the next joined step); false when none is waiting to be handed it.
    private bool WakeNextLocked()
    {
        bool woke = false;
        while (_resume.Count > 0 && _floor < FloorWidth)
        {
            Pending next = _resume[0];
            _resume.RemoveAt(0);
            next.Resumed = true;
            next.Signal.Release();
            _floor++;
            woke = true;
        }
        return woke || _resume.Count > 0;
    }

    /// <summary>
    /// Members that go on at once between joined steps: two where there are two cores. Waking a thread costs ~30 µs on
    /// the machine this was measured on, so one member's work hides the next one's wake-up (docs/benchmarks.md).
    /// </summary>
    private static readonly int FloorWidth = Math.Clamp(Environment.ProcessorCount, 1, 2);

    // After a member stopped counting (it left, or runs a step alone): hand the floor on, or, when everyone left is
    // waiting at a step, wake one of them to lead.
    private void NudgeLocked()
    {
        if (!WakeNextLocked() && !_leading && _pending.Count > 0 && _pending.Count >= _members - _alone) _pending[0].Signal.Release();
    }

    // Every member is waiting at a step (none runs, none is still to be handed the floor): the steps to join now.
    private List<Pending>? TakeIfAllWaitLocked() =>
        !_leading && _resume.Count == 0 && _pending.Count >= _members - _alone ? TakeLocked() : null;

    private List<Pending> TakeLocked()
    {
        List<Pending> batch = [.. _pending];
        _pending.Clear();
        _leading = true;
        return batch;
    }

    // A step no other can join: it runs on the member's own thread and does not hold the waiting members up.
    private StepOutput Alone(StepCall call)
    {
        lock (_gate)
        {
            _alone++;
            _floor = Math.Max(0, _floor - 1);
            NudgeLocked();
        }
        try
        {
            return StepOf(_inner, call);
        }
        finally
        {
            lock (_gate) _alone--;
        }
    }

    // Runs the collected steps, one call per key, and hands every waiter its own output; the leader goes on at once, the
    // others as members reach their next step and hand the floor on (WakeNextLocked).
    private void Lead(List<Pending> batch, Pending leader)
    {
        long began = Stopwatch.GetTimestamp();
        try
        {
            foreach (IGrouping<object, Pending> group in batch.GroupBy(p => p.Key))
            {
                Pending[] calls = [.. group];
                try
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    IReadOnlyList<StepOutput> outputs = calls.Length == 1
                        ? [StepOf(_inner, calls[0].Call)]
                        : _batchable!.StepBatch(calls.Select(p => p.Call).ToList());
                    for (int i = 0; i < calls.Length; i++) calls[i].Output = Detached(outputs[i]);
                    Interlocked.Increment(ref _batches);
                    Interlocked.Add(ref _rows, calls.Length);
                    long widest;
                    while ((widest = Interlocked.Read(ref _widest)) < calls.Length && Interlocked.CompareExchange(ref _widest, calls.Length, widest) != widest) { }
                }
                catch (Exception e)
                {
                    foreach (Pending p in calls) p.Fault = e;
                }
            }
        }
        finally
        {
            Interlocked.Add(ref _leadTicks, Stopwatch.GetTimestamp() - began);
            lock (_gate)
            {
                foreach (Pending p in batch)
                {
                    p.Done = true;
                    if (p != leader) _resume.Add(p);
                }
                leader.Resumed = true;
                _leading = false;
                _floor = 1;   // the leader goes on
                WakeNextLocked();
            }
        }
    }

    // One call's step on the network itself.
    private static StepOutput StepOf(IStepNetwork network, StepCall call) =>
        network.Step(call.X, call.Y, call.Z, call.K, call.AlphaOverride, call.Place, call.Norms);

    // Out of the leader's dispose scope: the waiter takes its output over on its own thread (Pending.Adopt).
    private static StepOutput Detached(StepOutput o) => new(
        o.Y.DetachFromDisposeScope(), o.Z.DetachFromDisposeScope(), o.Alpha, o.Delta?.DetachFromDisposeScope(), o.Residual?.DetachFromDisposeScope());

    private sealed class Pending(StepCall call, object key)
    {
        public StepCall Call { get; } = call;
        public object Key { get; } = key;
        public SemaphoreSlim Signal { get; } = new(0);
        public bool Done { get; set; }
        public bool Resumed { get; set; }
        public StepOutput? Output { get; set; }
        public Exception? Fault { get; set; }

        // Into the waiter's own dispose scope (on its own thread), as the output of a step of its own would be.
        public StepOutput Adopt()
        {
            if (Fault is not null) throw new InvalidOperationException("a batched refinement step failed", Fault);
            StepOutput o = Output!;
            if (CurrentDisposeScope is { } scope)
                foreach (Tensor? t in new[] { o.Y, o.Z, o.Delta, o.Residual })
                    if (t is not null) scope.Attach(t);
            return o;
        }
    }

    private sealed class Membership(StepBatcher batcher) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0) batcher.Leave();
        }
    }

    // The inner network with its steps routed through the batcher; everything else is the inner network's own.
    private sealed class BatchingNetwork(StepBatcher batcher, IStepNetwork inner) : IStepNetwork, ICacheSource
    {
        public RefinementCache NewCache(IsrmConfig config, Device device) =>
            batcher._slots is { } slots ? new RefinementCache(config, device, slots) : new RefinementCache(config, 1, device);

        public bool IsSinglePass => inner.IsSinglePass;

        public AndersonMixer? NewMixer() => inner.NewMixer();

        public Tensor Inject(Tensor x, StepPlace place) => inner.Inject(x, place);

        public (Tensor Y, Tensor Z) InitialState(Tensor x, StepPlace place, ulong? seed) => inner.InitialState(x, place, seed);

        public StepOutput Step(Tensor x, Tensor y, Tensor z, int k, float? alphaOverride, StepPlace place, bool norms) =>
            batcher.Step(new StepCall(x, y, z, k, alphaOverride, place, norms));

        public Tensor Logits(Tensor y) => inner.Logits(y);

        public Tensor HaltProbability(Tensor y) => inner.HaltProbability(y);
    }
}
