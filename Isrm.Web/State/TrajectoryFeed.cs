namespace Isrm.Web.State;

/// <summary>New points for a trajectory chart: the steps after those it has, or all of them on reset.</summary>
public sealed record TrajectoryBatch(string Key, bool Reset, TrajectoryPoints Points);

/// <summary>The chart's four series and the hover text (top-5) as parallel arrays, ready for JSON.</summary>
public sealed record TrajectoryPoints(
    IReadOnlyList<int> Step, IReadOnlyList<double?> Conf, IReadOnlyList<double?> Ent,
    IReadOnlyList<double?> Delta, IReadOnlyList<double?> Resid, IReadOnlyList<string> Hover)
{
    public int Count => Step.Count;

    public static TrajectoryPoints Of(TokenTrajectory token, int from)
    {
        List<StepFrame> steps = token.Steps.Skip(from).ToList();
        return new TrajectoryPoints(
            steps.Select(s => s.Step).ToList(), steps.Select(s => s.Confidence).ToList(), steps.Select(s => s.Entropy).ToList(),
            steps.Select(s => s.Delta).ToList(), steps.Select(s => s.Residual).ToList(),
            steps.Select(s => TrajectorySeries.Hover(s)).ToList());
    }
}

/// <summary>Tracks which token a chart shows and how many of its steps it has, so a render sends only new steps.</summary>
public sealed class TrajectoryFeed
{
    private object? _token;
    private int _sent;
    private int _generation;

    /// <summary>The batch for <paramref name="token"/>, or null when the chart already shows all of it.</summary>
    public TrajectoryBatch? Next(TokenTrajectory? token)
    {
        bool reset = !ReferenceEquals(token, _token);
        if (reset)
        {
            _token = token;
            _sent = 0;
            _generation++;
        }
        int count = token?.Steps.Count ?? 0;
        if (!reset && count == _sent) return null;
        TrajectoryPoints points = token is null ? TrajectoryPoints.Of(new TokenTrajectory(0), 0) : TrajectoryPoints.Of(token, _sent);
        _sent = count;
        return new TrajectoryBatch(_generation.ToString(System.Globalization.CultureInfo.InvariantCulture), reset, points);
    }
}
