namespace Isrm.Web.Options;

/// <summary>Where the training page finds runs and reports (section <c>Isrm:Training</c>).</summary>
public sealed class TrainingViewOptions
{
    public const string Section = "Isrm:Training";

    /// <summary>Folder searched (recursively) for <c>metrics.jsonl</c> files written by <c>isrm train</c>.</summary>
    public string RunsPath { get; set; } = "../runs";

    /// <summary>Folder holding <c>scaling.json</c> written by <c>isrm eval</c>.</summary>
    public string ReportsPath { get; set; } = "../reports";

    /// <summary>How often the training page re-reads metrics files while open.</summary>
    public int PollSeconds { get; set; } = 2;
}
