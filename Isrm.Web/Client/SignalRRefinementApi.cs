using System.Runtime.CompilerServices;
using System.Text.Json;
using Isrm.Web.Hubs;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Isrm.Web.Client;

/// <summary>A per-circuit SignalR connection to this app's own hub: the pages take the same path as external clients.</summary>
public sealed class SignalRRefinementApi(NavigationManager navigation) : IRefinementApi, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private HubConnection? _connection;

    public event Func<int, Task>? Queued;

    public async Task<IReadOnlyList<CheckpointListing>> ListCheckpointsAsync(CancellationToken cancellation = default)
    {
        HubConnection connection = await ConnectAsync(cancellation);
        return await Call(() => connection.InvokeAsync<List<CheckpointListing>>("ListCheckpoints", cancellation));
    }

    public async IAsyncEnumerable<RefinementFrame> GenerateAsync(
        GenerateRequestDto request, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        HubConnection connection = await ConnectAsync(cancellation);
        IAsyncEnumerator<JsonElement> frames = connection
            .StreamAsync<JsonElement>("Generate", request, cancellation).GetAsyncEnumerator(cancellation);
        try
        {
            while (await Call(() => frames.MoveNextAsync().AsTask()))
                yield return Decode(frames.Current);
        }
        finally
        {
            await frames.DisposeAsync();
        }
    }

    /// <summary>Turns a wire frame (a JSON object with a <c>kind</c>) back into its record.</summary>
    public static RefinementFrame Decode(JsonElement frame) => frame.GetProperty("kind").GetString() switch
    {
        "step" => frame.Deserialize<StepFrame>(Json)!,
        "token" => frame.Deserialize<TokenFrame>(Json)!,
        "done" => frame.Deserialize<DoneFrame>(Json)!,
        var other => throw new InvalidOperationException($"Unknown frame kind '{other}'."),
    };

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try { return await call(); }
        catch (HubException e) { throw new RefinementException(HubMessage(e.Message)); }
    }

    /// <summary>Strips SignalR's "An error occurred…" prefix so the user sees our sentence only.</summary>
    public static string HubMessage(string message)
    {
        int at = message.IndexOf("HubException: ", StringComparison.Ordinal);
        return at >= 0 ? message[(at + "HubException: ".Length)..] : message;
    }

    private async Task<HubConnection> ConnectAsync(CancellationToken cancellation)
    {
        await _connecting.WaitAsync(cancellation);
        try
        {
            if (_connection is { State: HubConnectionState.Connected }) return _connection;
            if (_connection is not null) await _connection.DisposeAsync();
            _connection = new HubConnectionBuilder()
                .WithUrl(navigation.ToAbsoluteUri(RefinementHub.Path))
                .AddJsonProtocol(o => o.PayloadSerializerOptions.NumberHandling = RefinementHubExtensions.WireNumbers)
                .WithAutomaticReconnect()
                .Build();
            _connection.On<int>(nameof(IRefinementHubClient.Queued), ahead => Queued?.Invoke(ahead) ?? Task.CompletedTask);
            await _connection.StartAsync(cancellation);
            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _connecting.Dispose();
    }
}
