using System.Threading.Channels;
using Isrm.Model.Generation;

namespace Isrm.Web.Refinement;

/// <summary>
/// One accepted generation on its way through the service: its validated request, where it stands, and the channel
/// its frames travel through (written by the worker thread and the service, read by the caller's stream).
/// </summary>
internal sealed class RefinementJob(string directory, GenerationRequest request)
{
    private readonly Channel<RefinementFrame> _frames =
        Channel.CreateUnbounded<RefinementFrame>(new UnboundedChannelOptions { SingleReader = true });

    public string Directory { get; } = directory;
    public GenerationRequest Request { get; } = request;
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
