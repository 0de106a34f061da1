using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Isrm.Web.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace Isrm.Web.ScaleOut;

/// <summary>
/// "Watch a generation": every frame a <c>Generate</c> stream sends its caller also goes to the hub group
/// <c>generation:{id}</c>, which <c>Watch(id)</c> joins — on this instance or, through the Redis backplane, on another.
/// Watching is best effort: a watcher or a backplane failure never breaks the caller's own stream.
/// </summary>
public sealed class GenerationBroadcaster(
    IHubContext<RefinementHub, IRefinementHubClient> hub, ILogger<GenerationBroadcaster> logger)
{
    /// <summary>A new generation id: 32 lowercase hex digits, unguessable (anyone who has it may watch).</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>True for what <see cref="NewId"/> makes.</summary>
    public static bool IsId(string? id) =>
        id is { Length: 32 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public static string Group(string id) => "generation:" + id;

    /// <summary>Frames a generation may be ahead of its watchers before the caller's stream waits for them.</summary>
    public const int Backlog = 1024;

    /// <summary>
    /// Tells the caller the id (<c>Started</c>, before the first frame), then passes <paramref name="frames"/> through
    /// while a pump sends each, in order, to the watchers; the caller waits for the pump only when it is
    /// <see cref="Backlog"/> frames behind (a backplane round trip per frame would slow every stream).
    /// Watchers always see an end: the stream's own <c>done</c> frame, or one with stop reason <c>cancelled</c> (caller
    /// cancelled or left) or <c>error</c> (the request failed).
    /// </summary>
    public async IAsyncEnumerable<object> Publish(
        IRefinementHubClient caller, IAsyncEnumerable<object> frames, [EnumeratorCancellation] CancellationToken cancellation)
    {
        string id = NewId();
        await caller.Started(id);
        var pending = Channel.CreateBounded<object>(new BoundedChannelOptions(Backlog)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _ = Pump(hub.Clients.Group(Group(id)), id, pending.Reader);
        var clock = Stopwatch.StartNew();
        int tokens = 0;
        bool done = false, failed = true;
        try
        {
            await foreach (object frame in frames.WithCancellation(cancellation))
            {
                if (frame is TokenFrame) tokens++;
                done |= frame is DoneFrame;
                await pending.Writer.WriteAsync(frame, CancellationToken.None);
                yield return frame;
            }
            failed = false;
        }
        finally
        {
            if (!done)
            {
                string reason = failed && !cancellation.IsCancellationRequested ? "error" : "cancelled";
                await pending.Writer.WriteAsync(
                    new DoneFrame(tokens, Math.Round(clock.Elapsed.TotalMilliseconds, 3), reason), CancellationToken.None);
            }
            pending.Writer.Complete(); // the pump finishes on its own: the caller's stream does not wait for it
        }
    }

    /// <summary>Sends the frames in order; after a failure it logs once and drops the rest of this generation's frames.</summary>
    private async Task Pump(IRefinementHubClient watchers, string id, ChannelReader<object> frames)
    {
        bool broken = false;
        await foreach (object frame in frames.ReadAllAsync())
        {
            if (broken) continue;
            try
            {
                await watchers.WatchedFrame(id, frame);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                broken = true;
                logger.LogWarning(e, "Watchers of generation {Id} get no more frames: sending failed", id);
            }
        }
    }
}
