using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Isrm.Model.Runtime;

/// <summary>
/// The one thread that touches tensors. TorchSharp's dispose scopes and no-grad state are per thread, so every
/// piece of tensor work is queued here and its results come back through tasks or channels.
/// </summary>
public sealed class ModelThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public ModelThread(string name = "isrm-model", int? torchThreads = null)
    {
        _thread = new Thread(() =>
        {
            if (torchThreads is int n) TorchSharp.torch.set_num_threads(n);
            foreach (Action action in _work.GetConsumingEnumerable()) action();
        })
        { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the model thread and returns its result.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    /// <summary>Runs <paramref name="work"/> on the model thread.</summary>
    public Task RunAsync(Action work) => RunAsync(() => { work(); return true; });

    /// <summary>
    /// Enumerates <paramref name="produce"/> on the model thread and streams its items to the caller as they come.
    /// Cancelling stops the producer before its next item (a producer checks the token once per refinement step).
    /// </summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(
        Func<CancellationToken, IEnumerable<T>> produce, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _ = RunAsync(() =>
        {
            try
            {
                foreach (T item in produce(cancellation))
                {
                    channel.Writer.TryWrite(item);
                    if (cancellation.IsCancellationRequested) break;
                }
                channel.Writer.TryComplete();
            }
            catch (Exception e) { channel.Writer.TryComplete(e); }
        });
        await foreach (T item in channel.Reader.ReadAllAsync(CancellationToken.None).WithCancellation(cancellation))
            yield return item;
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(10));
    }
}
