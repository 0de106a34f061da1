namespace Isrm.Web.State;

/// <summary>
/// Two runs of the same prompt and seed side by side, streamed together and scrubbed together. Both sides show the
/// same token position; where their texts part, that position is marked and later positions are not compared.
/// With <see cref="Intervening"/> the right side is the left side's run with one intervention (<see cref="Intervention"/>):
/// same checkpoint, K and seed, one token's thought changed after one step.
/// </summary>
public sealed class CompareSession
{
    private CancellationTokenSource? _running;

    public string Prompt { get; set; } = "";
    public GenerationSettings LeftSettings { get; } = new() { K = 8, MaxTokens = 12, Temperature = 0 };
    public GenerationSettings RightSettings { get; } = new() { K = 32, MaxTokens = 12, Temperature = 0 };
    public bool IsRunning => _running is not null;
    public string? Error { get; private set; }
    public ConversationTurn? Left { get; private set; }
    public ConversationTurn? Right { get; private set; }
    /// <summary>The position shown on both sides; follows the newest position both sides have reached while live.</summary>
    public int TokenIndex { get; private set; }
    public bool FollowLive { get; private set; } = true;
    public StepScrubber Scrubber { get; } = new();

    /// <summary>The right side re-runs the left side's settings with <see cref="Intervention"/>.</summary>
    public bool Intervening { get; set; }
    /// <summary>The intervention's fields as the form edits them (its token and step follow a click and the scrubber).</summary>
    public int InterveneAt { get; set; }
    public int InterveneStep { get; set; } = 1;
    public InterventionChange Change { get; set; } = InterventionChange.Random;
    public long InterveneSeed { get; set; } = 2;
    public double InterveneScale { get; set; } = 2;
    public string ForcedToken { get; set; } = "";
    /// <summary>The intervention the last run made (null when the two sides were compared as they are).</summary>
    public InterventionRequest? RunIntervention { get; private set; }

    /// <summary>The intervention of the form.</summary>
    public InterventionRequest Intervention => new()
    {
        At = InterveneAt, Step = InterveneStep, Change = Change, Seed = InterveneSeed, Scale = InterveneScale,
        Token = Change == InterventionChange.Token ? ForcedToken : null,
    };

    /// <summary>Shows <paramref name="problem"/> as the page's error (a link it cannot take).</summary>
    public void Fail(string problem) => Error = problem;

    /// <summary>Takes a link's intervention into the form (and turns intervening on).</summary>
    public void Take(InterventionRequest change)
    {
        Intervening = true;
        (InterveneAt, InterveneStep, Change, InterveneSeed, InterveneScale, ForcedToken) =
            (change.At, change.Step, change.Change, change.Seed, change.Scale, change.Token ?? "");
    }

    /// <summary>The query of a link that opens this comparison (with its intervention) and runs it.</summary>
    public string ShareQuery() => ChatLink.For(LeftSettings, Prompt, run: true) + (Intervening
        ? "&" + InterventionLink.For(Intervention, text: true)
        : $"&rightCheckpoint={Uri.EscapeDataString(RightSettings.Checkpoint ?? "")}&rightK={(RightSettings.InfiniteK ? "inf" : RightSettings.K.ToString(System.Globalization.CultureInfo.InvariantCulture))}");

    /// <summary>A link's right side (<c>rightCheckpoint</c>, <c>rightK</c>), or the first value the page cannot take.</summary>
    public string? TakeRight(IReadOnlyDictionary<string, string> query, IEnumerable<string> checkpoints)
    {
        if (query.TryGetValue("rightCheckpoint", out string? name) && name.Length > 0)
        {
            if (!checkpoints.Contains(name)) return $"The link names checkpoint '{name}' for the right side, which this app does not list.";
            RightSettings.Checkpoint = name;
        }
        if (query.TryGetValue("rightK", out string? k))
        {
            RefinementDepth depth = RefinementDepth.Parse(k);
            if (depth.Problem(RightSettings.MaxK, "The link's rightK") is string problem) return problem;
            RightSettings.InfiniteK = depth.IsInfinite;
            if (depth.Steps is int steps) RightSettings.K = steps;
        }
        return null;
    }

    /// <summary>
    /// The first step of the shown token at which the two sides' top tokens differ (steps of a token after the texts
    /// parted are not compared); null while they agree.
    /// </summary>
    public int? FirstDifferentStep
    {
        get
        {
            if (LeftToken is not { } l || RightToken is not { } r || IsAfterDivergence(TokenIndex)) return null;
            for (int s = 0; s < Math.Min(l.Steps.Count, r.Steps.Count); s++)
                if (l.Steps[s].TopTokens.FirstOrDefault()?.Token != r.Steps[s].TopTokens.FirstOrDefault()?.Token) return s + 1;
            return null;
        }
    }

    /// <summary>A frame was folded in (draw on the next frame budget tick).</summary>
    public event Action? Invalidated;

    public TokenTrajectory? LeftToken => Left?.Tokens.ElementAtOrDefault(TokenIndex);
    public TokenTrajectory? RightToken => Right?.Tokens.ElementAtOrDefault(TokenIndex);

    /// <summary>Number of positions both sides have reached.</summary>
    public int SharedTokens => Math.Min(Left?.Tokens.Count ?? 0, Right?.Tokens.Count ?? 0);

    /// <summary>The first position where both sides chose different tokens (later positions continue different texts); null while equal.</summary>
    public int? DivergenceIndex
    {
        get
        {
            if (Left is null || Right is null) return null;
            for (int i = 0; i < SharedTokens; i++)
            {
                string? l = Left.Tokens[i].Text, r = Right.Tokens[i].Text;
                if (l is null || r is null) return null;
                if (l != r) return i;
            }
            return null;
        }
    }

    /// <summary>Whether position <paramref name="index"/> comes after the two texts parted (its context differs).</summary>
    public bool IsAfterDivergence(int index) => DivergenceIndex is int d && index > d;

    /// <summary>Selects a position on both sides; the scrubber spans the longer of the two trajectories.</summary>
    public void Select(int tokenIndex)
    {
        FollowLive = false;
        Show(tokenIndex);
    }

    /// <summary>
    /// Runs both sides at once on the same prompt; the right side takes the left side's sampling settings and seed, so
    /// that only the checkpoint and K differ.
    /// </summary>
    public async Task RunAsync(IRefinementService refinement, Func<Task> changed)
    {
        if (IsRunning || string.IsNullOrWhiteSpace(Prompt)) return;
        var cts = new CancellationTokenSource();
        _running = cts;
        Error = null;
        RunIntervention = Intervening ? Intervention : null;
        if (RunIntervention is not null)
        {
            RightSettings.Checkpoint = LeftSettings.Checkpoint;
            RightSettings.K = LeftSettings.K;
            RightSettings.InfiniteK = LeftSettings.InfiniteK;
        }
        RightSettings.MaxTokens = LeftSettings.MaxTokens;
        RightSettings.Temperature = LeftSettings.Temperature;
        RightSettings.TopK = LeftSettings.TopK;
        RightSettings.TopP = LeftSettings.TopP;
        RightSettings.Seed = LeftSettings.Seed;
        Left = new ConversationTurn(Prompt, LeftSettings, LeftSettings.Checkpoint ?? "");
        Right = new ConversationTurn(Prompt, RightSettings, RightSettings.Checkpoint ?? "");
        FollowLive = true;
        Show(0);
        await changed();
        try
        {
            await Task.WhenAll(Stream(refinement, Left, LeftSettings, null, cts), Stream(refinement, Right, RightSettings, RunIntervention, cts));
        }
        finally
        {
            if (ReferenceEquals(_running, cts)) _running = null;
            cts.Dispose();
        }
        if (FollowLive) Show(RunIntervention is { } change && (DivergenceIndex is not int d || d >= change.At) ? change.At : DivergenceIndex ?? 0);
        await changed();
    }

    /// <summary>Stops both sides at once; frames still arriving are dropped.</summary>
    public async Task StopAsync(Func<Task> changed)
    {
        if (_running is not { } cts) return;
        _running = null;
        Left?.Cancel();
        Right?.Cancel();
        cts.Cancel();
        await changed();
    }

    private async Task Stream(IRefinementService refinement, ConversationTurn turn, GenerationSettings settings, InterventionRequest? change, CancellationTokenSource cts)
    {
        try
        {
            RefinementRequest request = settings.ToRequest(Prompt);
            request.Intervention = change;
            await foreach (RefinementFrame frame in refinement.Generate(request, cts.Token))
            {
                if (cts.IsCancellationRequested) break;
                turn.Apply(frame);
                if (FollowLive) Show(Math.Max(0, SharedTokens - 1));
                Invalidated?.Invoke();
            }
        }
        catch (OperationCanceledException)
        {
            turn.Cancel();
        }
        if (turn.Status == TurnStatus.Running) turn.Cancel();
        if (turn.Error is not null) Error = turn.Error;
    }

    private void Show(int tokenIndex)
    {
        int steps = Math.Max(LeftToken?.Steps.Count ?? 0, RightToken?.Steps.Count ?? 0);
        if (tokenIndex != TokenIndex || Scrubber.StepCount == 0)
        {
            TokenIndex = Math.Max(0, tokenIndex);
            Scrubber.Load(Math.Max(LeftToken?.Steps.Count ?? 0, RightToken?.Steps.Count ?? 0));
        }
        else Scrubber.Grow(steps);
    }

    /// <summary>Approximate KL(left‖right) per step for the selected position; a shorter side holds its last step.</summary>
    public IReadOnlyList<double> KlPerStep()
    {
        TokenTrajectory? l = LeftToken, r = RightToken;
        if (l is null || r is null || l.Steps.Count == 0 || r.Steps.Count == 0) return [];
        int steps = Math.Max(l.Steps.Count, r.Steps.Count);
        return Enumerable.Range(0, steps)
            .Select(s => TopTokenDivergence.ApproximateKl(
                l.Steps[Math.Min(s, l.Steps.Count - 1)].TopTokens, r.Steps[Math.Min(s, r.Steps.Count - 1)].TopTokens))
            .ToList();
    }
}
