namespace Isrm.Cli.Commands;

/// <summary>Calls the handler on the reporting thread, in order (the BCL's <c>Progress&lt;T&gt;</c> posts to the thread pool and can reorder).</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
