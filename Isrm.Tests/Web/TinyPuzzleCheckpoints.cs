namespace Isrm.Tests.Web;

/// <summary>Puzzle checkpoints trained for a few steps with the model library's own trainer, for the web tests.</summary>
internal static class TinyPuzzleCheckpoints
{
    /// <summary>Trains a width-8 DT-recall net for <paramref name="steps"/> steps and saves it as <paramref name="root"/>/<paramref name="name"/>.</summary>
    public static void Train(string root, string name, PuzzleTask task, int steps = 3)
    {
        var config = new PuzzleNetConfig { Task = task.Name, Width = 8, Blocks = 1, HeadWidth = 4, Causal = task == PrefixSumsTask.Instance };
        var options = new PuzzleTrainingOptions
        {
            Out = Path.Combine(root, name), Sizes = task == MazesTask.Instance ? [3] : [8], Steps = steps, Batch = 4,
            MaxIterations = 4, WarmupSteps = 1, SaveEvery = 1000,
        };
        using var trainer = PuzzleTrainer.Start(config, options, "web test fixture");
        trainer.Run(_ => { }, CancellationToken.None);
    }

    /// <summary>
    /// A checkpoints root with "maze-tiny" (mazes), "bits-tiny" (prefix sums), "maze-truncated" (weights cut short) and
    /// one text checkpoint, "tiny", which the puzzle list must leave out.
    /// </summary>
    public static TempCheckpointsRoot Folder()
    {
        var folder = new TempCheckpointsRoot();
        Train(folder.Root, "maze-tiny", MazesTask.Instance);
        Train(folder.Root, "bits-tiny", PrefixSumsTask.Instance);
        Train(folder.Root, "maze-truncated", MazesTask.Instance, steps: 1);
        string weights = Path.Combine(folder.Root, "maze-truncated", Checkpoint.WeightsFile);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);
        TinyCheckpoints.Save(folder.Root, "tiny");
        return folder;
    }
}
