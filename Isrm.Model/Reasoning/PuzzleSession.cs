using System.Runtime.CompilerServices;
using Isrm.Model.Checkpoints;
using Isrm.Model.Runtime;

namespace Isrm.Model.Reasoning;

/// <summary>
/// A loaded puzzle checkpoint with its own model thread (TorchSharp scopes are per thread): the streaming API the
/// web page and the hub use. Solves run one at a time on that thread, in the order they are asked for.
/// </summary>
public sealed class PuzzleSession : IDisposable
{
    private readonly ModelThread _thread;
    private readonly LoadedPuzzleCheckpoint _checkpoint;

    private PuzzleSession(ModelThread thread, LoadedPuzzleCheckpoint checkpoint)
    {
        _thread = thread;
        _checkpoint = checkpoint;
    }

    public string Name => _checkpoint.Name;
    public PuzzleTask Task => _checkpoint.Config.PuzzleTask;
    public PuzzleNetConfig Config => _checkpoint.Config;
    public CheckpointMetadata Metadata => _checkpoint.Metadata;

    /// <summary>Loads <paramref name="directory"/> on a new model thread; a bad folder is a <see cref="CheckpointException"/> (one sentence).</summary>
    public static async Task<PuzzleSession> OpenAsync(string directory, int torchThreads = 1)
    {
        var thread = new ModelThread("isrm-puzzle", torchThreads);
        try { return new PuzzleSession(thread, await thread.RunAsync(() => PuzzleCheckpoint.Load(directory))); }
        catch { thread.Dispose(); throw; }
    }

    /// <summary>
    /// Streams one frame per reported step (see <see cref="PuzzleSolveOptions.Stride"/>) until K, the stop rule or the
    /// cap; cancelling stops before the next step. A wrong task or bad options throw <see cref="PuzzleFormatException"/>.
    /// </summary>
    public IAsyncEnumerable<PuzzleFrame> SolveAsync(Puzzle puzzle, PuzzleSolveOptions options, CancellationToken cancellation = default)
    {
        options.Validate();
        if (puzzle.Task != Task) throw new PuzzleFormatException($"this checkpoint solves {Task.Name()}, not {puzzle.Task.Name()}.");
        return _thread.StreamAsync(token => PuzzleSolver.Solve(_checkpoint.Network, puzzle, options, token), cancellation);
    }

    public void Dispose()
    {
        _thread.RunAsync(_checkpoint.Dispose).Wait(TimeSpan.FromSeconds(10));
        _thread.Dispose();
    }
}
