namespace Isrm.Web.State;

/// <summary>The refinement steps of one generated token, and the token once chosen.</summary>
public sealed class TokenTrajectory(int tokenIndex)
{
    public int TokenIndex { get; } = tokenIndex;
    public List<StepFrame> Steps { get; } = [];
    /// <summary>Null while the token is still being refined.</summary>
    public string? Text { get; set; }
    public int StepsUsed { get; set; }
    public bool IsFinished => Text is not null;

    /// <summary>The token shown in the stream: its text, or the current top candidate while refining.</summary>
    public string Display => Text ?? Steps.LastOrDefault()?.TopTokens.FirstOrDefault()?.Token ?? "…";

    /// <summary>Probability of the shown token at the last step (the chosen one once sampled); null without steps.</summary>
    public double? Confidence
    {
        get
        {
            StepFrame? last = Steps.LastOrDefault();
            if (last is null) return null;
            return last.TopTokens.FirstOrDefault(t => t.Token == Display)?.Prob ?? (Text is null ? last.Confidence : 0);
        }
    }

    /// <summary>The top-5 of the last step, for hover text.</summary>
    public string TopFive => Steps.LastOrDefault() is { } last ? TrajectorySeries.Hover(last) : "no steps yet";
}

/// <summary>Where a turn stands.</summary>
public enum TurnStatus { Running, Done, Cancelled, Failed }

/// <summary>One prompt and everything streamed back for it.</summary>
public sealed class ConversationTurn(string prompt, GenerationSettings settings, string checkpoint, string context = "")
{
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

    public string Prompt { get; } = prompt;
    /// <summary>Earlier turns sent before the prompt (empty for the first turn or when they are not remembered).</summary>
    public string Context { get; } = context;
    /// <summary>The whole text the model is asked to continue.</summary>
    public string SentText => Context + Prompt;
    public GenerationSettings Settings { get; } = settings.Clone();
    public string Checkpoint { get; } = checkpoint;
    public List<TokenTrajectory> Tokens { get; } = [];
    /// <summary>The answer the prompt should get when a task recognises it (e.g. <c>48213+97065=</c>), else null.</summary>
    public TaskTruth? Truth { get; } = TaskTruth.Of(prompt);
    public TurnStatus Status { get; private set; } = TurnStatus.Running;
    public string? Error { get; private set; }
    public DoneFrame? Done { get; private set; }
    public int StepFrameCount { get; private set; }
    /// <summary>Requests ahead of this one in the model's queue, until its first step arrives; null when not waiting.</summary>
    public int? QueuedAhead { get; private set; }
    /// <summary>The id others may watch this generation with (from the <c>started</c> frame).</summary>
    public string? GenerationId { get; private set; }
    /// <summary>When the done frame reached the page (UTC); null before.</summary>
    public DateTimeOffset? DoneReceivedAt { get; private set; }
    /// <summary>Seconds from Send until the page drew the end of the turn; null until drawn.</summary>
    public double? DrawnSeconds { get; private set; }
    /// <summary>Seconds from the done frame's arrival until the page had drawn it: how far the drawing trailed the model.</summary>
    public double? DrawLagSeconds { get; private set; }

    /// <summary>Records that the page has drawn this turn's final state.</summary>
    public void MarkDrawn()
    {
        if (DrawnSeconds is not null) return;
        DrawnSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(_started).TotalSeconds;
        if (DoneReceivedAt is { } done) DrawLagSeconds = Math.Max(0, (DateTimeOffset.UtcNow - done).TotalSeconds);
    }

    public string Reply => string.Concat(Tokens.Where(t => t.IsFinished).Select(t => t.Text));

    /// <summary>The token being refined right now (the last one), if any.</summary>
    public TokenTrajectory? Current => Tokens.LastOrDefault();

    /// <summary>Largest number of steps any token took (rows of the heatmap).</summary>
    public int MaxSteps => Tokens.Count == 0 ? 0 : Tokens.Max(t => t.Steps.Count);

    /// <summary>Folds one frame in; returns the trajectory it touched (null for the other kinds).</summary>
    public TokenTrajectory? Apply(RefinementFrame frame)
    {
        switch (frame)
        {
            case StartedFrame started:
                GenerationId = started.GenerationId;
                return null;
            case QueuedFrame queued:
                QueuedAhead = queued.Ahead;
                return null;
            case ErrorFrame error:
                Fail(error.Message);
                return null;
        }
        QueuedAhead = null;
        switch (frame)
        {
            case StepFrame s:
                StepFrameCount++;
                TokenTrajectory t = Trajectory(s.TokenIndex);
                t.Steps.Add(s);
                return t;
            case TokenFrame tok:
                TokenTrajectory chosen = Trajectory(tok.TokenIndex);
                chosen.Text = tok.Text;
                chosen.StepsUsed = tok.StepsUsed;
                return chosen;
            case DoneFrame d:
                Done = d;
                DoneReceivedAt = DateTimeOffset.UtcNow;
                Status = d.StopReason == StopReason.Cancelled ? TurnStatus.Cancelled : TurnStatus.Done;
                return null;
            default:
                throw new InvalidOperationException($"Unknown frame {frame.GetType().Name}.");
        }
    }

    public void Cancel()
    {
        QueuedAhead = null;
        if (Status == TurnStatus.Running) Status = TurnStatus.Cancelled;
    }

    public void Fail(string error)
    {
        QueuedAhead = null;
        Status = TurnStatus.Failed;
        Error = error;
    }

    private TokenTrajectory Trajectory(int index)
    {
        while (Tokens.Count <= index) Tokens.Add(new TokenTrajectory(Tokens.Count));
        return Tokens[index];
    }
}
