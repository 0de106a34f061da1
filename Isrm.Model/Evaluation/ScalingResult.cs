namespace Isrm.Model.Evaluation;

/// <summary>
/// Held-out metrics of one checkpoint at one refinement depth K (∞ = adaptive until KL &lt; tolerance): one element
/// of <c>scaling.json</c>, written by <c>isrm eval</c> and read by the web app's Training page.
/// </summary>
public sealed record ScalingResult
{
    public required string Checkpoint { get; init; }
    public required ModelFamily Family { get; init; }
    /// <summary>Written as "1", "2", …, or "inf"; a JSON number is read too.</summary>
    [JsonConverter(typeof(RefinementDepthTextConverter))]
    public required RefinementDepth K { get; init; }
    public required double LossNatsPerToken { get; init; }
    public required double BitsPerByte { get; init; }
    public double Perplexity => Math.Exp(LossNatsPerToken);
    /// <summary>Mean over positions of ‖state change‖ at step K.</summary>
    public required double MeanDelta { get; init; }
    /// <summary>Mean over positions of ‖f(·) − y‖ at step K.</summary>
    public required double MeanResidual { get; init; }
    /// <summary>Mean KL(p_K ‖ p_previous K of the list), per position.</summary>
    public double? KlToPrevious { get; init; }
    /// <summary>For K = inf: mean number of steps taken before the stop rule (or the cap).</summary>
    public double? MeanKReached { get; init; }
    public required int Positions { get; init; }
}
