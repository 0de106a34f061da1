namespace Isrm.Web.State;

/// <summary>
/// Path independence of one chat token, without markup: the turn's text and settings re-run up to that token, which
/// is refined from the network's own start and from N − 1 seeded random starts at once (<see cref="StartsRequest"/>).
/// Holds every step's <see cref="PathsFrame"/> and says in words what they show.
/// </summary>
public sealed class PathStartsRun
{
    private CancellationTokenSource? _running;

    public int Starts { get; set; } = 8;
    public long Seed { get; set; } = 1;
    /// <summary>The token the last run was for, and its steps (the own start's run, with every start's numbers).</summary>
    public int? Token { get; private set; }
    public List<StepFrame> Steps { get; } = [];
    public string? Error { get; private set; }
    public bool IsRunning => _running is not null;

    /// <summary>Runs token <paramref name="index"/> of <paramref name="turn"/> from <see cref="Starts"/> starts; <paramref name="changed"/> after each step.</summary>
    public async Task RunAsync(IRefinementService refinement, ConversationTurn turn, int index, Func<Task> changed)
    {
        if (IsRunning) return;
        var cts = _running = new CancellationTokenSource();
        (Token, Error) = (index, null);
        Steps.Clear();
        RefinementRequest request = turn.Settings.ToRequest(turn.SentText);
        request.MaxTokens = index + 1;
        request.Starts = new StartsRequest { At = index, Starts = Starts, Seed = Seed };
        await changed();
        try
        {
            await foreach (RefinementFrame frame in refinement.Generate(request, cts.Token))
            {
                if (frame is StepFrame { Paths: not null } step && step.TokenIndex == index)
                {
                    Steps.Add(step);
                    await changed();
                }
                else if (frame is ErrorFrame error) Error = error.Message;
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            if (ReferenceEquals(_running, cts)) _running = null;
            cts.Dispose();
        }
        await changed();
    }

    public void Stop()
    {
        try { _running?.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>What the runs show so far, in words; null before the first step.</summary>
    public string? Summary
    {
        get
        {
            if (Steps.LastOrDefault() is not { Paths: { } p } last) return null;
            int n = p.Distance.Length;
            string far = p.Farthest;
            string tops = string.Join(", ", (p.Answers ?? []).GroupBy(a => a).OrderByDescending(g => g.Count()).Select(g => $"'{TokenText.Visible(g.Key)}' × {g.Count()}"));
            string now = $"step {last.Step}: top tokens {tops}; states at most {far} apart (relative to the own start's)";
            if (p.Endings is null) return IsRunning ? $"Running token #{Token} from {n} starts… {now}." : $"Stopped at {now}.";
            string answer = p.DistinctAnswers == 1 ? $"All {n} runs of token #{Token} end on the same top token" : $"The {n} runs of token #{Token} end on {p.DistinctAnswers} different top tokens";
            string state = p.SameState ? " and in the same state (within 10⁻³)" : $", their states up to {far} apart";
            return $"{answer}{state} at step {last.Step} ({tops}). How the runs end: {p.EndingsSaid}.";
        }
    }
}
