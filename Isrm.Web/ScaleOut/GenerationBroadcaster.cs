using System.Threading.Channels;

namespace Isrm.Web.ScaleOut;

/// <summary>
/// "Watch a generation": every frame a <c>Generate</c> stream sends its caller after <c>started</c> also goes to
/// the hub group <c>generation:{id}</c>, which <c>Watch(id)</c> joins — on this instance or, through the Redis
/// backplane, on another. Watching is best effort: a watcher or a backplane failure never breaks the caller's stream.
/// </summary>
public sealed class GenerationBroadcaster(
    IHubContext<RefinementHub, IRefinementHubClient> hub, ILogger<GenerationBroadcaster> logger)
{
    /// <summary>True for a generation id: 32 lowercase hex digits, unguessable (anyone who has it may watch).</summary>
    public static bool IsId(string? id) =>
        id is { Length: 32 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public static string Group(string id) => "generation:" + id;

    /// <summary>Frames a generation may be ahead of its watchers before the caller's stream waits for them.</summary>
    public const int Backlog = 1024;

    /// <summary>
    /// Passes <paramref name="frames"/> through; from the <c>started</c> frame on, a pump sends each, in order, to the
    /// watchers, and the caller waits for it only when it is <see cref="Backlog"/> frames behind (a backplane round
    /// trip per frame would slow every stream). Watchers always see an end: the stream's own <c>done</c> frame, or one
    /// with stop reason <c>cancelled</c> (caller cancelled or left) or <c>error</c> (the request failed).
    /// </summary>
    public async IAsyncEnumerable<RefinementFrame> Publish(
        IAsyncEnumerable<RefinementFrame> frames, [EnumeratorCancellation] CancellationToken cancellation)
    {
        Channel<RefinementFrame>? pending = null;
        var clock = Stopwatch.StartNew();
        int tokens = 0;
        bool done = false, failed = true, errored = false;
        try
        {
            await foreach (RefinementFrame frame in frames.WithCancellation(cancellation))
            {
                if (frame is StartedFrame started)
                {
                    pending = Channel.CreateBounded<RefinementFrame>(new BoundedChannelOptions(Backlog)
                    {
                        SingleReader = true,
                        SingleWriter = true,
                        FullMode = BoundedChannelFullMode.Wait,
                    });
                    _ = Pump(hub.Clients.Group(Group(started.GenerationId)), started.GenerationId, pending.Reader);
                }
                if (frame is TokenFrame) tokens++;
                errored |= frame is ErrorFrame;
                done |= frame is DoneFrame;
                // watchers know the id already; a started frame could reach them before they joined anyway
                if (pending is not null && frame is not StartedFrame) await pending.Writer.WriteAsync(frame, CancellationToken.None);
                yield return frame;
            }
            failed = false;
        }
        finally
        {
            if (pending is not null)
            {
                if (!done)
                {
                    StopReason reason = errored || (failed && !cancellation.IsCancellationRequested) ? StopReason.Error : StopReason.Cancelled;
                    await pending.Writer.WriteAsync(
                        new DoneFrame(tokens, Math.Round(clock.Elapsed.TotalMilliseconds, 3), reason), CancellationToken.None);
                }
                pending.Writer.Complete(); // the pump finishes on its own: the caller's stream does not wait for it
            }
        }
    }

    /// <summary>Sends the frames in order; after a failure it logs once and drops the rest of this generation's frames.</summary>
    private async Task Pump(IRefinementHubClient watchers, string id, ChannelReader<RefinementFrame> frames)
    {
        bool broken = false;
        await foreach (RefinementFrame frame in frames.ReadAllAsync())
        {
            if (broken) continue;
            try
            {
                await watchers.WatchedFrame(id, new WireFrame(frame));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                broken = true;
                logger.LogWarning(e, "Watchers of generation {Id} get no more frames: sending failed", id);
            }
        }
    }
}
