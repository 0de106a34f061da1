namespace Isrm.Web.State;

/// <summary>
/// Coalesces "something changed" into at most one render per <see cref="Interval"/>: frames are folded into the view
/// state as they arrive, and only the latest state is drawn, so the page trails the model by at most one interval.
/// A final flush (end of a turn, Stop) renders at once.
/// </summary>
public sealed class FrameBudget(Func<bool, Task> render) : IDisposable
{
    private readonly SemaphoreSlim _rendering = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private int _dirty;
    private int _looping;

    /// <summary>Least time between two renders caused by streamed frames.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(80);

    /// <summary>Marks the view stale; it is drawn within one interval. Cheap: call it for every frame.</summary>
    public void Invalidate()
    {
        Interlocked.Exchange(ref _dirty, 1);
        if (Interlocked.CompareExchange(ref _looping, 1, 0) == 0) _ = LoopAsync();
    }

    /// <summary>Renders now (the end of a turn or a Stop): whatever is pending is drawn in this render.</summary>
    public async Task FlushAsync()
    {
        Interlocked.Exchange(ref _dirty, 0);
        await RenderAsync(true);
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                await Task.Delay(Interval, _closing.Token);
                if (Interlocked.Exchange(ref _dirty, 0) == 0) break;   // idle: the next Invalidate starts a new loop
                await RenderAsync(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // the page closed
        }
        finally
        {
            Interlocked.Exchange(ref _looping, 0);
            if (Volatile.Read(ref _dirty) == 1 && !_closing.IsCancellationRequested) Invalidate();
        }
    }

    private async Task RenderAsync(bool final)
    {
        await _rendering.WaitAsync();
        try
        {
            await render(final);
        }
        finally
        {
            _rendering.Release();
        }
    }

    public void Dispose() => _closing.Cancel();
}
