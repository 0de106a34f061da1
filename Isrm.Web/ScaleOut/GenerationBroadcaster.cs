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
    /// Passes <paramref name="frames"/> through; from the <c>started</c> frame on, each is sent, in order, to the
    /// watchers (<see cref="WatcherFeed"/>), and the caller waits for them only when they are <see cref="Backlog"/>
    /// frames behind (a backplane round trip per frame would slow every stream). Watchers always see an end: the
    /// stream's own <c>done</c> frame, or one with stop reason <c>cancelled</c> (caller cancelled or left) or
    /// <c>error</c> (the request failed).
    /// </summary>
    public async IAsyncEnumerable<RefinementFrame> Publish(
        IAsyncEnumerable<RefinementFrame> frames, [EnumeratorCancellation] CancellationToken cancellation)
    {
        WatcherFeed? feed = null;
        var clock = Stopwatch.StartNew();
        int tokens = 0;
        bool done = false, failed = true, errored = false;
        try
        {
            await foreach (RefinementFrame frame in frames.WithCancellation(cancellation))
            {
                if (frame is StartedFrame started) feed = new WatcherFeed(hub.Clients.Group(Group(started.GenerationId)), started.GenerationId, logger);
                if (frame is TokenFrame) tokens++;
                errored |= frame is ErrorFrame;
                done |= frame is DoneFrame;
                // watchers know the id already; a started frame could reach them before they joined anyway
                if (feed is not null && frame is not StartedFrame) await feed.SendAsync(frame);
                yield return frame;
            }
            failed = false;
        }
        finally
        {
            if (feed is not null)
            {
                if (!done)
                {
                    StopReason reason = errored || (failed && !cancellation.IsCancellationRequested) ? StopReason.Error : StopReason.Cancelled;
                    await feed.SendAsync(new DoneFrame(tokens, Math.Round(clock.Elapsed.TotalMilliseconds, 3), reason));
                }
                feed.Complete();   // what is still queued goes on its own: the caller's stream does not wait for it
            }
        }
    }

    /// <summary>
    /// One generation's frames to its watchers, in order; after a failure it logs once and drops the rest. A send that
    /// is done at once — nobody watches on this instance and there is no backplane, or the watchers' connections take it
    /// — is all a frame costs; while one is still in flight, this frame and every later one wait in a queue that a pump
    /// sends from, and <see cref="SendAsync"/> waits only when <see cref="Backlog"/> frames are queued.
    /// </summary>
    private sealed class WatcherFeed(IRefinementHubClient watchers, string id, ILogger logger)
    {
        private Task _inFlight = Task.CompletedTask;
        private Channel<RefinementFrame>? _queue;
        private bool _broken;

        public ValueTask SendAsync(RefinementFrame frame)
        {
            if (_queue is not null) return _queue.Writer.WriteAsync(frame, CancellationToken.None);
            if (_broken || Failed(_inFlight)) return ValueTask.CompletedTask;
            if (_inFlight.IsCompleted)
            {
                _inFlight = Send(frame);
                Failed(_inFlight);
                return ValueTask.CompletedTask;
            }
            _queue = Channel.CreateBounded<RefinementFrame>(new BoundedChannelOptions(Backlog)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            _ = Pump(_inFlight, _queue.Reader);
            return _queue.Writer.WriteAsync(frame, CancellationToken.None);
        }

        public void Complete()
        {
            if (_queue is not null) _queue.Writer.Complete();   // the pump finishes on its own
            else if (!_inFlight.IsCompleted) _ = Succeeded(_inFlight);
        }

        private Task Send(RefinementFrame frame)
        {
            try
            {
                return watchers.WatchedFrame(id, new WireFrame(frame));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Task.FromException(e);
            }
        }

        // A send already done that failed: logged once, and the feed drops what follows.
        private bool Failed(Task send)
        {
            if (_broken || !send.IsFaulted) return _broken;
            _broken = true;
            logger.LogWarning(send.Exception!.InnerException, "Watchers of generation {Id} get no more frames: sending failed", id);
            return true;
        }

        private async Task<bool> Succeeded(Task send)
        {
            try
            {
                await send;
                return true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (!_broken) logger.LogWarning(e, "Watchers of generation {Id} get no more frames: sending failed", id);
                _broken = true;
                return false;
            }
        }

        private async Task Pump(Task first, ChannelReader<RefinementFrame> frames)
        {
            bool sending = await Succeeded(first);
            await foreach (RefinementFrame frame in frames.ReadAllAsync())
                if (sending) sending = await Succeeded(Send(frame));
        }
    }
}
