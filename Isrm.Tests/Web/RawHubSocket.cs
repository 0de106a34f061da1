using System.Net.WebSockets;

namespace Isrm.Tests.Web;

/// <summary>
/// The SignalR JSON protocol spoken by hand over a WebSocket, for bytes the .NET client never sends (invalid UTF-8,
/// unpaired surrogate escapes). Messages go as binary frames, which the server reads like text ones, since a text
/// frame with invalid UTF-8 would be refused by the WebSocket layer before SignalR saw it.
/// </summary>
public sealed class RawHubSocket : IAsyncDisposable
{
    private const byte Separator = 0x1e;
    private readonly ClientWebSocket _socket = new();
    private readonly List<byte> _pending = [];
    private int _nextId;

    public static async Task<RawHubSocket> ConnectAsync(Uri baseAddress)
    {
        var raw = new RawHubSocket();
        var uri = new UriBuilder(new Uri(baseAddress, "/hubs/refinement")) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws" }.Uri;
        await raw._socket.ConnectAsync(uri, CancellationToken.None);
        await raw.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}"));
        string handshake = await raw.ReceiveAsync();
        if (handshake != "{}") throw new InvalidOperationException($"Handshake refused: {handshake}");
        return raw;
    }

    /// <summary>Streams Generate with <paramref name="requestJson"/> as the argument; returns the error sentence it ends with.</summary>
    public Task<string> GenerateErrorAsync(string requestJson) => GenerateErrorAsync(Encoding.UTF8.GetBytes(requestJson), wrapAsPrompt: false);

    /// <summary>Streams Generate with <c>{"prompt":"…"}</c> holding <paramref name="promptBytes"/> verbatim.</summary>
    public Task<string> GenerateErrorAsync(byte[] promptBytes) => GenerateErrorAsync(promptBytes, wrapAsPrompt: true);

    /// <summary>Streams Generate with <paramref name="requestJson"/>; returns every message up to and including the completion.</summary>
    public async Task<string> InvokeRawAsync(string requestJson)
    {
        string id = await StartAsync(Encoding.UTF8.GetBytes(requestJson));
        var messages = new StringBuilder();
        while (true)
        {
            string message = await ReceiveAsync();
            messages.AppendLine(message);
            using JsonDocument json = JsonDocument.Parse(message);
            if (json.RootElement.GetProperty("type").GetInt32() == 3 && json.RootElement.GetProperty("invocationId").GetString() == id)
                return messages.ToString();
        }
    }

    private async Task<string> GenerateErrorAsync(byte[] argument, bool wrapAsPrompt)
    {
        byte[] request = wrapAsPrompt ? [.. "{\"prompt\":\""u8, .. argument, .. "\"}"u8] : argument;
        string id = await StartAsync(request);
        while (true)
        {
            using JsonDocument json = JsonDocument.Parse(await ReceiveAsync());
            JsonElement root = json.RootElement;
            if (root.GetProperty("type").GetInt32() != 3 || root.GetProperty("invocationId").GetString() != id) continue;
            return root.TryGetProperty("error", out JsonElement error)
                ? WireJson.Sentence(error.GetString()!)
                : throw new InvalidOperationException("The invocation completed without an error.");
        }
    }

    private async Task<string> StartAsync(byte[] requestJson)
    {
        string id = (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        byte[] message = [.. Encoding.UTF8.GetBytes($"{{\"type\":4,\"invocationId\":\"{id}\",\"target\":\"Generate\",\"arguments\":["), .. requestJson, .. "]}"u8];
        await SendAsync(message);
        return id;
    }

    private Task SendAsync(byte[] message) =>
        _socket.SendAsync(new ArraySegment<byte>([.. message, Separator]), WebSocketMessageType.Binary, true, CancellationToken.None);

    /// <summary>The next protocol message (pings skipped), without its record separator.</summary>
    private async Task<string> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int end = _pending.IndexOf(Separator);
            if (end >= 0)
            {
                string message = Encoding.UTF8.GetString(_pending.GetRange(0, end).ToArray());
                _pending.RemoveRange(0, end + 1);
                if (message.Contains("\"type\":6", StringComparison.Ordinal)) continue;
                return message;
            }
            WebSocketReceiveResult result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                throw new InvalidOperationException($"The server closed the connection: {result.CloseStatusDescription}");
            _pending.AddRange(buffer.AsSpan(0, result.Count).ToArray());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        _socket.Dispose();
    }
}
