namespace Isrm.Web.Options;

/// <summary>Where the web app finds checkpoints (section <c>Isrm</c> of appsettings.json).</summary>
public sealed class CheckpointOptions
{
    public const string Section = "Isrm";

    /// <summary>Folder holding one sub-folder per checkpoint; relative paths are resolved against the content root.</summary>
    public string CheckpointsPath { get; set; } = "../checkpoints";

    /// <summary>Name of the checkpoint the chat opens with.</summary>
    public string DefaultCheckpoint { get; set; } = "isrm-default";
}
