using Isrm.Model.Reasoning;

namespace Isrm.Model.Checkpoints;

/// <summary>A checkpoint of any task with its weights in memory: the network the engine refines and how it was made.</summary>
public interface ILoadedNetwork : IDisposable
{
    string Name { get; }
    string Directory { get; }
    /// <summary>What it was trained for: a puzzle (<c>mazes</c>, <c>prefix-sums</c>), a text task (<c>addition</c>, <c>parity</c>) or <c>language-model</c>.</summary>
    string Task { get; }
    CheckpointMetadata Metadata { get; }
    /// <summary>The step network every refinement runs through (<see cref="Refiner"/>).</summary>
    IStepNetwork Network { get; }
}

/// <summary>
/// What any checkpoint folder says about itself before its weights are read, after the integrity checks its kind
/// makes (files present, weights not truncated): its kind (<c>text</c> or <c>puzzle</c>), task and network, its
/// parameters and metadata, and its config.json as written.
/// </summary>
public sealed record CheckpointSummary(string Name, string Directory, string Kind, string Task, string Network,
    long ParameterCount, CheckpointMetadata Metadata, string ConfigJson)
{
    /// <summary>One line for people: "mazes, dt-recall network, 59,472 parameters, 20,000 steps".</summary>
    public string Line => $"{Task}, {Network} network, {ParameterCount:N0} parameters, {Metadata.Step:N0} steps";
}

/// <summary>
/// The one entry to checkpoint folders of every task: <see cref="Describe"/>, <see cref="Open"/>, <see cref="Export"/>
/// and <see cref="Import"/> take a text checkpoint (<see cref="Checkpoint"/>) and a puzzle checkpoint
/// (<see cref="PuzzleCheckpoint"/>) alike — the same folder contract (weights, config.json naming the task and the
/// network, metadata.json with the weights' SHA-256, atomic writes), told apart by config.json's <c>kind</c>.
/// </summary>
public static class CheckpointFolder
{
    /// <summary>The task of a text checkpoint that was trained on a corpus.</summary>
    public const string LanguageModel = "language-model";

    /// <summary>True when the folder's config.json names a puzzle network (no weights read).</summary>
    public static bool IsPuzzle(string directory) => PuzzleCheckpoint.IsPuzzle(directory);

    /// <summary>Kind, task, network and metadata of any checkpoint; <see cref="CheckpointException"/> when it is not usable.</summary>
    public static CheckpointSummary Describe(string directory)
    {
        if (IsPuzzle(directory))
        {
            var (config, metadata) = PuzzleCheckpoint.Inspect(directory);
            return new CheckpointSummary(NameOf(directory), Path.GetFullPath(directory), PuzzleCheckpoint.Kind, config.Task, config.Architecture,
                metadata.ParameterCount, metadata, config.ToJson());
        }
        CheckpointInfo info = Checkpoint.Inspect(directory);
        return new CheckpointSummary(info.Name, info.Directory, "text", info.Task ?? LanguageModel, info.Family,
            info.ParameterCount, info.Metadata, info.Config.ToJson());
    }

    /// <summary>Loads any checkpoint onto <paramref name="device"/> after checking its weights' SHA-256; call on the thread that will use it.</summary>
    public static ILoadedNetwork Open(string directory, Device device) =>
        IsPuzzle(directory) ? PuzzleCheckpoint.Load(directory, device) : Checkpoint.Load(directory, device);

    /// <summary>Writes any checkpoint's weights as model.safetensors (in place, or into <paramref name="outDirectory"/>); returns the file written.</summary>
    public static string Export(string directory, string? outDirectory = null)
    {
        Describe(directory);   // one sentence for a folder that is not a usable checkpoint, before anything is written
        return IsPuzzle(directory) ? PuzzleCheckpoint.Export(directory, outDirectory) : CheckpointExchange.Export(directory, outDirectory);
    }

    /// <summary>Reads a model.safetensors of any task into a checkpoint folder every command loads; returns what it wrote.</summary>
    public static CheckpointSummary Import(string sourceDirectory, string outDirectory, string command)
    {
        if (IsPuzzle(sourceDirectory)) PuzzleCheckpoint.Import(sourceDirectory, outDirectory, command);
        else CheckpointExchange.Import(sourceDirectory, outDirectory, command);
        return Describe(outDirectory);
    }

    private static string NameOf(string directory) => Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
}
