using Isrm.Model.Runtime;

namespace Isrm.Cli.Commands;

/// <summary>A checkpoint loaded on its own <see cref="ModelThread"/>; every tensor operation of a command runs there.</summary>
internal sealed class ModelSession : IAsyncDisposable
{
    private readonly ModelThread _thread;
    private readonly LoadedCheckpoint _checkpoint;

    private ModelSession(ModelThread thread, LoadedCheckpoint checkpoint)
    {
        _thread = thread;
        _checkpoint = checkpoint;
    }

    public CheckpointInfo Info => _checkpoint.Info;

    public int MaxContext => _checkpoint.Model.Config.MaxContext;

    /// <summary>Tokens <paramref name="text"/> takes with this checkpoint's tokenizer (plain C#, no tensors).</summary>
    public int CountTokens(string text) => _checkpoint.Tokenizer.Encode(text).Length;

    /// <summary>Checks the folder first (fast, one-sentence errors), then loads the weights on a new model thread.</summary>
    public static async Task<ModelSession> OpenAsync(string directory, string device, int threads)
    {
        Checkpoint.Inspect(directory);
        var thread = new ModelThread("isrm-model", threads);
        try
        {
            LoadedCheckpoint checkpoint = await thread.RunAsync(() => Checkpoint.Load(directory, ComputeDevice.Parse(device)));
            return new ModelSession(thread, checkpoint);
        }
        catch
        {
            thread.Dispose();
            throw;
        }
    }

    /// <summary>Streams the generator's events from the model thread; cancelling stops it before its next refinement step.</summary>
    public IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerationRequest request, CancellationToken cancellation)
    {
        Generator.Validate(request, MaxContext);
        return _thread.StreamAsync(token => Generator.Generate(_checkpoint, request, token), cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        await _thread.RunAsync(_checkpoint.Dispose);
        _thread.Dispose();
    }
}
