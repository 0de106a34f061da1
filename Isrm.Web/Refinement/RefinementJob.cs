using System.Threading.Channels;

namespace Isrm.Web.Refinement;

/// <summary>
/// One accepted request on its way through the service — a generation (<see cref="Request"/>) or a puzzle solve
/// (<see cref="Solve"/>): what to run, where it stands, and the channel its frames travel through (written by the
/// worker thread and the service, read by the caller's stream).
/// </summary>
internal sealed class RefinementJob
{
    public RefinementJob(string directory, GenerationRequest request) => (Directory, Request) = (directory, request);

    public RefinementJob(string directory, SolveJob solve) => (Directory, Solve) = (directory, solve);

    private readonly Channel<RefinementFrame> _frames =
        Channel.CreateUnbounded<RefinementFrame>(new UnboundedChannelOptions { SingleReader = true });

    public string Directory { get; }
    /// <summary>The generation to run; null for a solve.</summary>
    public GenerationRequest? Request { get; }
    /// <summary>The puzzle to solve; null for a generation.</summary>
    public SolveJob? Solve { get; }
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Cancelled when the caller stops or leaves; the generator checks it once per refinement step.</summary>
    public CancellationTokenSource Stop { get; } = new();

    /// <summary>Guarded by the service's lock.</summary>
    public JobState State { get; set; } = JobState.Waiting;

    /// <summary>The last <see cref="QueuedFrame.Ahead"/> sent (guarded by the service's lock); 0 = none.</summary>
    public int LastAhead { get; set; }

    public ChannelReader<RefinementFrame> Frames => _frames.Reader;

    public void Write(RefinementFrame frame) => _frames.Writer.TryWrite(frame);

    /// <summary>No more frames; <paramref name="fault"/> (an internal bug) is rethrown to the caller.</summary>
    public void Complete(Exception? fault = null) => _frames.Writer.TryComplete(fault);
}

/// <summary>Where a job stands: waiting (for its worker or for a model slot), running on its worker, or finished.</summary>
internal enum JobState { Waiting, Running, Finished }

/// <summary>A checked solve as the worker runs it: the puzzle, K and cap, and up to which step every step is streamed.</summary>
internal sealed record SolveJob(Puzzle Puzzle, PuzzleSolveOptions Options, int DenseSteps);
