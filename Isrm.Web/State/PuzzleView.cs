namespace Isrm.Web.State;

/// <summary>A batch of streamed steps for the canvas: step numbers, their probabilities end to end, cells right.</summary>
public sealed record PuzzleFrameBatch(int[] Steps, byte[] Probabilities, int[] Correct);

/// <summary>
/// What the Puzzles page shows and does, without markup: the task, checkpoint, instance, K, the running solve, its
/// frames and status. The page renders it and moves frames to the canvas; tests drive it with a real or fake solver.
/// Frames reach the browser in batches at most every <see cref="FlushInterval"/> (the canvas then draws the newest).
/// </summary>
public sealed class PuzzleView(Func<SolveRequest, CancellationToken, IAsyncEnumerable<RefinementFrame>> solve, PuzzleOptions limits)
{
    private CancellationTokenSource? _running;
    private readonly List<PuzzleStepFrame> _pending = [];

    public PuzzleOptions Limits => limits;
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(60);

    public IReadOnlyList<CheckpointListing> Checkpoints { get; private set; } = [];
    public PuzzleTask Task { get; private set; } = PuzzleTasks.Default;
    public string? Checkpoint { get; set; }
    public int Size { get; set; } = 9;
    public int Seed { get; set; } = 1;
    public string Generator { get; set; } = PuzzleTasks.Default.Variants.FirstOrDefault() ?? "";
    public string InputText { get; private set; } = "";
    /// <summary>The seed the shown instance was generated from; null for a pasted or edited one.</summary>
    public int? InstanceSeed { get; private set; }
    /// <summary>The instance shown (from New or the typed text); null when the text does not parse.</summary>
    public Puzzle? Instance { get; private set; }

    /// <summary>Position on <see cref="KLadder"/>; <see cref="Infinite"/> overrides it.</summary>
    public int KIndex { get; set; }
    public bool Infinite { get; set; } = true;
    public IReadOnlyList<int> KLadder { get; } = Ladder(limits.MaxK);
    public int K => KLadder[Math.Clamp(KIndex, 0, KLadder.Count - 1)];
    public string KLabel => Infinite ? $"K = ∞ (stops when the answer is stable, at most {limits.MaxK})" : $"K = {K}";

    /// <summary>Start frame of the solve shown, and its streamed steps (the scrubber walks these).</summary>
    public PuzzleStartFrame? Start { get; private set; }
    public List<PuzzleStepFrame> Frames { get; } = [];
    public PuzzleDoneFrame? Done { get; private set; }
    public StepScrubber Scrubber { get; } = new();
    public bool Stopped { get; private set; }
    public string? Error { get; private set; }
    public bool IsRunning => _running is not null;
    /// <summary>The intervention every solve of this view makes (the intervened side of a comparison); null = none.</summary>
    public InterventionRequest? Intervention { get; set; }

    /// <summary>The intervention form of the page (step, change, seed, factor), kept when the instance changes.</summary>
    public int InterveneStep { get; set; } = 8;
    public InterventionChange Change { get; set; } = InterventionChange.Random;
    public long InterveneSeed { get; set; } = 2;
    public double InterveneScale { get; set; } = 2;
    public InterventionRequest FormIntervention => new() { Step = InterveneStep, Change = Change, Seed = InterveneSeed, Scale = InterveneScale };

    /// <summary>Path independence: solve from this many starting states at once (1 = off; at most 16) and draw every run.</summary>
    public int Starts { get; set; } = 1;
    public long StartSeed { get; set; } = 1;

    /// <summary>The frames of a solve from several starts, with every run's numbers.</summary>
    public IEnumerable<PuzzleStepFrame> PathFrames => Frames.Where(f => f.Paths is not null);

    /// <summary>What the runs from several starts show so far, in words; null when the solve shown has one start.</summary>
    public string? PathSummary
    {
        get
        {
            if (Frames.LastOrDefault(f => f.Paths is not null) is not { Paths: { } p } last) return null;
            int n = p.Distance.Length;
            int[] correct = p.Correct ?? [];
            string distance = p.Farthest;
            string now = $"step {last.Step}: {p.DistinctAnswers} different {(p.DistinctAnswers == 1 ? "answer" : "answers")} among {n} starts, states at most {distance} apart (relative to the own start's)";
            if (p.Endings is null) return $"Running from {n} starts… {now}.";
            string answer = p.DistinctAnswers == 1
                ? $"All {n} runs end in the same answer ({(correct.All(c => c == last.Cells) ? "solved" : $"{correct.FirstOrDefault()} of {last.Cells} cells right")})"
                : $"The {n} runs end in {p.DistinctAnswers} different answers";
            string state = p.SameState ? " and the same state (within 10⁻³)" : $", their states up to {distance} apart";
            return $"{answer}{state} at step {last.Step}. How the runs end: {p.EndingsSaid}.";
        }
    }

    /// <summary>Takes the instance, checkpoint and K <paramref name="original"/> shows, to solve them with <see cref="Intervention"/>.</summary>
    public void Mirror(PuzzleView original)
    {
        Checkpoints = original.Checkpoints;
        (Task, Checkpoint, Size, Seed, Generator) = (original.Task, original.Checkpoint, original.Size, original.Seed, original.Generator);
        (InputText, InstanceSeed, Instance) = (original.InputText, original.InstanceSeed, original.Instance);
        (KIndex, Infinite) = (original.KIndex, original.Infinite);
        Reset();
    }

    /// <summary>Forgets the shown solve (the intervened side when a new instance is shown).</summary>
    public void Clear()
    {
        Reset();
        Instance = null;
    }

    /// <summary>
    /// The first streamed step at which this view's answer (p &gt; ½ per cell) differs from <paramref name="other"/>'s
    /// at the same step, with the number of cells that differ; null while they agree on every step both have.
    /// </summary>
    public (int Step, int Cells)? FirstDifference(PuzzleView other)
    {
        var theirs = other.Frames.ToDictionary(f => f.Step);
        foreach (PuzzleStepFrame mine in Frames)
        {
            if (!theirs.TryGetValue(mine.Step, out PuzzleStepFrame? frame)) continue;
            int cells = 0;
            for (int i = 0; i < mine.Probabilities.Length && i < frame.Probabilities.Length; i++)
                if (mine.Probabilities[i] > 127 != frame.Probabilities[i] > 127) cells++;
            if (cells > 0) return (mine.Step, cells);
        }
        return null;
    }

    /// <summary>Requests before this solve on its checkpoint's worker while it waits; null once it runs.</summary>
    public int? Ahead { get; private set; }

    public IEnumerable<CheckpointListing> TaskCheckpoints => Checkpoints.Where(c => c.Usable && c.Task == Task.Name);
    public bool CanSolve => !IsRunning && Instance is not null && Checkpoint is not null;

    /// <summary>A new solve began: reset the canvas to this instance.</summary>
    public event Func<PuzzleStartFrame, Task>? Started;
    /// <summary>Steps to add to the canvas.</summary>
    public event Func<PuzzleFrameBatch, Task>? FramesArrived;
    /// <summary>An instance to show before solving (New, typed text).</summary>
    public event Func<PuzzleStartFrame, Task>? InstanceShown;
    /// <summary>Anything else changed (re-render; the page may throttle).</summary>
    public event Func<Task>? Changed;

    /// <summary>The one-line status read out by the live region.</summary>
    public string Status
    {
        get
        {
            if (Error is not null) return Error;
            PuzzleStepFrame? last = Frames.LastOrDefault();
            if (IsRunning)
                return last is null
                    ? Ahead is int ahead ? $"Waiting: {ahead} {(ahead == 1 ? "request runs or waits" : "requests run or wait")} before this one on the model." : "Thinking…"
                    : $"Thinking… step {last.Step}{(Start?.K is int k ? $" of {k}" : "")}: {last.Correct} of {last.Cells} cells right{Solved(last.SolvedAt)}.";
            if (Stopped) return last is null ? "Stopped before the first step." : $"Stopped at step {last.Step}: {last.Correct} of {last.Cells} cells right{Solved(last.SolvedAt)}.";
            if (Done is { } d)
            {
                string why = d.StopReason switch { "stable" => " (∞: the answer stopped changing)", "cap" => $" (∞: reached the cap of {Start?.Cap})", _ => "" };
                return d.SolvedAt is int at
                    ? $"Solved at step {at}; ran {d.Steps} steps{why}: {d.Correct} of {d.Cells} cells right at the end."
                    : $"Not solved after {d.Steps} steps{why}: {d.Correct} of {d.Cells} cells right.";
            }
            if (Instance is { } p)
                return Checkpoint is null
                    ? $"{p.Task.Describe(p)}. No {Task.Name} checkpoint is loaded here: train one with isrm train --task {Task.Name}."
                    : $"{p.Task.Describe(p)}. Press Solve.";
            return "Pick a task and a size and press New, or paste your own instance.";
        }
    }

    /// <summary>The frame the scrubber points at, or null.</summary>
    public PuzzleStepFrame? ScrubbedFrame => Scrubber.Current >= 1 && Scrubber.Current <= Frames.Count ? Frames[Scrubber.Current - 1] : null;

    /// <summary>The K to mark on the accuracy curve: the asked K, or the step an ∞ solve ended at.</summary>
    public int? MarkedK => Done?.Steps ?? Start?.K ?? (Infinite ? null : K);

    /// <summary>Takes the puzzle checkpoints of <paramref name="checkpoints"/> (the service lists text ones too).</summary>
    public Task LoadCheckpointsAsync(IReadOnlyList<CheckpointListing> checkpoints)
    {
        Checkpoints = checkpoints = checkpoints.Where(c => c.IsPuzzle).ToList();
        if (TaskCheckpoints.FirstOrDefault() is null && checkpoints.FirstOrDefault(c => c.Usable) is { } any)
            Task = PuzzleTasks.Parse(any.Task);
        Checkpoint = TaskCheckpoints.FirstOrDefault()?.Name;
        Size = DefaultSize(Task);
        KIndex = Math.Max(0, KLadder.ToList().IndexOf(64));
        return NewInstanceAsync();
    }

    public async Task SetTaskAsync(PuzzleTask task)
    {
        if (task == Task) return;
        Task = task;
        Checkpoint = TaskCheckpoints.FirstOrDefault()?.Name;
        Size = DefaultSize(task);
        await NewInstanceAsync();
    }

    /// <summary>A new random instance of <see cref="Size"/> from <see cref="Seed"/> (then the seed moves on, so New again gives another).</summary>
    public async Task NewInstanceAsync()
    {
        if (IsRunning) return;
        var request = new SolveRequest { Task = Task.Name, Size = Size, Seed = Seed, Generator = Generator };
        Puzzle? puzzle = SolveRequestValidator.Instance(request, Task, limits, out string error);
        if (puzzle is not null) Seed++;
        await ShowAsync(puzzle, puzzle?.ToText() ?? InputText, error);
        InstanceSeed = puzzle is null ? null : request.Seed;
    }

    /// <summary>The user typed or pasted <paramref name="text"/>: show it, or say what is wrong with it.</summary>
    public async Task SetInputAsync(string? text)
    {
        if (IsRunning) return;
        text ??= "";
        if (text.Length > limits.MaxInputChars) text = text[..limits.MaxInputChars];
        Puzzle? puzzle = SolveRequestValidator.Instance(new SolveRequest { Text = text }, Task, limits, out string error);
        if (string.IsNullOrWhiteSpace(text)) error = "The puzzle text is empty: press New or paste an instance.";
        await ShowAsync(puzzle, text, error);
        InstanceSeed = null;
    }

    private async Task ShowAsync(Puzzle? puzzle, string text, string error)
    {
        InputText = text;
        Instance = puzzle;
        Reset();
        Error = puzzle is null ? error : null;
        if (puzzle is not null && InstanceShown is not null)
            await InstanceShown(StartOf(puzzle, Checkpoint ?? "", null, limits.MaxK));
        await Raise();
    }

    /// <summary>
    /// An instance edited on the canvas (<see cref="PuzzleTask.Edit"/>: a maze's walls, S and E). The edited text goes
    /// through <see cref="SetInputAsync"/>, so an edit the validator refuses gets the sentence a pasted instance gets,
    /// and the text box shows the edit. Nothing happens while a solve runs, or when the task makes nothing of the edit.
    /// </summary>
    public async Task EditAsync(int row, int col, int toRow, int toCol)
    {
        if (IsRunning || Task.Edit(InputText, row, col, toRow, toCol) is not string edited) return;
        await SetInputAsync(edited);
    }

    /// <summary>The link that shows this instance with this checkpoint and K, and solves it on open.</summary>
    public string ShareQuery() =>
        PuzzleLink.For(Task.Name, Checkpoint, Size, InstanceSeed, Generator, InputText, Infinite, K, run: true)
        + (Intervening ? "&" + InterventionLink.For(FormIntervention, text: false)
            : Starts > 1 ? $"&starts={Starts}&startSeed={StartSeed.ToString(CultureInfo.InvariantCulture)}" : "");

    /// <summary>The page solves a second, intervened copy beside this one (<see cref="FormIntervention"/>).</summary>
    public bool Intervening { get; set; }

    /// <summary>The intervention a link asked for, taken into the form (and intervening turned on) by <see cref="OpenLinkAsync"/>.</summary>
    public void Take(InterventionRequest change)
    {
        Intervening = true;
        (InterveneStep, Change, InterveneSeed, InterveneScale) = (change.Step, change.Change, change.Seed, change.Scale);
    }

    /// <summary>
    /// Opens a shared link (<see cref="PuzzleLink"/>): task, checkpoint, K, the instance (by seed, or its packed
    /// text) and an intervention (<see cref="InterventionLink"/>), then solves it (with <paramref name="solve"/>, the
    /// page's, which also runs the intervened copy) when the link says <c>run=1</c>. A value the page cannot take is its one-sentence error.
    /// </summary>
    public async Task OpenLinkAsync(IReadOnlyDictionary<string, string> query, Func<Task>? solve = null)
    {
        if (query.Count == 0 || IsRunning) return;
        string? problem = null;
        if (query.TryGetValue("task", out string? task))
        {
            try { await SetTaskAsync(PuzzleTasks.Parse(task)); }
            catch (ArgumentException) { problem = $"The link's task must be {TaskRegistry.Names(PuzzleTasks.All.Select(t => t.Name))}; got '{task}'."; }
        }
        if (problem is null && query.TryGetValue("checkpoint", out string? checkpoint) && checkpoint.Length > 0)
        {
            if (TaskCheckpoints.Any(c => c.Name == checkpoint)) Checkpoint = checkpoint;
            else problem = $"The link names checkpoint '{checkpoint}', which this page does not list for {Task.Name}.";
        }
        if (problem is null && query.TryGetValue("k", out string? k))
        {
            RefinementDepth depth = RefinementDepth.Parse(k);
            if (depth.IsInfinite) Infinite = true;
            else if (depth.Steps is int steps && KLadder.Contains(steps)) { Infinite = false; KIndex = KLadder.ToList().IndexOf(steps); }
            else problem = $"The link's k must be inf or one of {string.Join(", ", KLadder)}; got '{k}'.";
        }
        if (problem is null && query.TryGetValue("generator", out string? generator)) Generator = generator;
        if (problem is null && InterventionLink.Read(query, out problem) is { } change) Take(change);
        if (problem is null && query.TryGetValue("starts", out string? starts))
        {
            if (int.TryParse(starts, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= PuzzleSolveOptions.MaxStarts) Starts = n;
            else problem = $"The link's starts must be a whole number from 1 to {PuzzleSolveOptions.MaxStarts}; got '{starts}'.";
        }
        if (problem is null && query.TryGetValue("startSeed", out string? startSeed))
        {
            if (long.TryParse(startSeed, NumberStyles.None, CultureInfo.InvariantCulture, out long n)) StartSeed = n;
            else problem = $"The link's startSeed must be a whole number ≥ 0; got '{startSeed}'.";
        }
        int number = 0;
        if (problem is null && query.TryGetValue("size", out string? size))
        {
            if (int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0) Size = number;
            else problem = $"The link's size must be a whole number ≥ 1; got '{size}'.";
        }
        if (problem is null && query.TryGetValue("seed", out string? seed))
        {
            if (int.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out number)) Seed = number;
            else problem = $"The link's seed must be a whole number ≥ 0; got '{seed}'.";
        }
        if (problem is not null)
        {
            Error = problem;
            await Raise();
            return;
        }
        if (query.TryGetValue("text", out string? packed))
        {
            if (PuzzleLink.Unpack(packed, limits.MaxInputChars) is not string text)
            {
                Error = "The link's text is not an instance this page packed (it may have been cut short); copy the link again.";
                await Raise();
                return;
            }
            await SetInputAsync(text);
        }
        else await NewInstanceAsync();   // the same size, seed and generator give the same instance (the validator's sentence otherwise)
        if (Error is null && query.TryGetValue("run", out string? run) && run == "1") await (solve ?? SolveAsync)();
    }

    /// <summary>Solves the shown instance, streaming its steps until done, stopped or refused.</summary>
    public async Task SolveAsync()
    {
        if (!CanSolve) return;
        Reset();
        var running = _running = new CancellationTokenSource();
        var request = new SolveRequest
        {
            Checkpoint = Checkpoint, Task = Task.Name, Text = InputText, K = Infinite ? RefinementDepth.Infinite : RefinementDepth.Of(K),
            Generator = Generator, Intervention = Intervention,
            Starts = Intervention is null ? Math.Clamp(Starts, 1, PuzzleSolveOptions.MaxStarts) : 1, StartSeed = StartSeed,
        };
        await Raise();
        var clock = Stopwatch.StartNew();
        try
        {
            await foreach (RefinementFrame frame in solve(request, running.Token).WithCancellation(running.Token))
            {
                // Frames already buffered may still come after Stop: the solve ends here, the rest is dropped.
                if (running.IsCancellationRequested)
                {
                    Stopped = true;
                    break;
                }
                switch (frame)
                {
                    case PuzzleStartFrame start:
                        Start = start;
                        if (Started is not null) await Started(start);
                        break;
                    case PuzzleStepFrame step:
                        Ahead = null;
                        Frames.Add(step);
                        Scrubber.Grow(Frames.Count);
                        _pending.Add(step);
                        if (clock.Elapsed >= FlushInterval)
                        {
                            clock.Restart();
                            await FlushAsync();
                            await Raise();
                        }
                        break;
                    case PuzzleDoneFrame done:
                        Done = done;
                        break;
                    case QueuedFrame queued:
                        Ahead = queued.Ahead;
                        await Raise();
                        break;
                    case ErrorFrame error:
                        Error = error.Message;
                        break;
                }
            }
            if (!Stopped) await FlushAsync();
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            Stopped = true;
        }
        finally
        {
            _pending.Clear();   // Stop drops what the canvas has not received yet
            if (_running == running) _running = null;
            running.Dispose();
        }
        await Raise();
    }

    /// <summary>Cancels the running solve at once; the model stops before its next step.</summary>
    public void Stop()
    {
        if (_running is null) return;
        // Frames received but not yet drawn are dropped: the view keeps only what was sent to the canvas.
        int shown = Frames.Count - _pending.Count;
        _pending.Clear();
        Frames.RemoveRange(shown, Frames.Count - shown);
        Scrubber.Load(Frames.Count);
        try { _running.Cancel(); } catch (ObjectDisposedException) { }
    }

    private async Task FlushAsync()
    {
        if (_pending.Count == 0) return;
        int cells = _pending[0].Probabilities.Length;
        var bytes = new byte[_pending.Count * cells];
        for (int i = 0; i < _pending.Count; i++) _pending[i].Probabilities.CopyTo(bytes, i * cells);
        var batch = new PuzzleFrameBatch(_pending.Select(f => f.Step).ToArray(), bytes, _pending.Select(f => f.Correct).ToArray());
        _pending.Clear();
        if (FramesArrived is not null) await FramesArrived(batch);
    }

    private void Reset()
    {
        Start = null;
        Done = null;
        Stopped = false;
        Error = null;
        Ahead = null;
        Frames.Clear();
        _pending.Clear();
        Scrubber.Load(0);
    }

    // The training sizes of the shipped checkpoints, within this server's limits.
    private int DefaultSize(PuzzleTask task) => Math.Clamp(task.DefaultSize, task.MinSize, task.MaxSize(limits.Reading));

    private Task Raise() => Changed?.Invoke() ?? System.Threading.Tasks.Task.CompletedTask;

    private static string Solved(int? at) => at is int s ? $" — solved at step {s}" : "";

    /// <summary>The start frame for an instance shown before (or without) a solve.</summary>
    public static PuzzleStartFrame StartOf(Puzzle p, string checkpoint, int? k, int cap) =>
        new(checkpoint, p.Task.Name, p.Size, p.Height, p.Width, p.Cells, p.Target.Select(t => t ? (byte)1 : (byte)0).ToArray(), k, cap, 0);

    /// <summary>K values a slider can reach: 1–8, then about 4 per doubling, up to <paramref name="max"/>.</summary>
    public static IReadOnlyList<int> Ladder(int max)
    {
        var ks = new SortedSet<int>();
        for (int k = 1; k <= Math.Min(8, max); k++) ks.Add(k);
        for (long p = 8; p <= max; p *= 2)
            foreach (double f in new[] { 1, 1.25, 1.5, 1.75 })
                if (p * f <= max) ks.Add((int)(p * f));
        ks.Add(max);
        return ks.ToList();
    }
}
