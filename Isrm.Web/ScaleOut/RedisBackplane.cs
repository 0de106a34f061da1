using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Isrm.Web.ScaleOut;

/// <summary>
/// The SignalR Redis backplane for <see cref="RefinementHub"/>, switched on by <c>Isrm:Redis</c> (a StackExchange.Redis
/// connection string such as <c>127.0.0.1:6379</c>); empty = one instance, groups live in memory.
/// </summary>
public static class RedisBackplane
{
    public const string ConfigurationKey = "Isrm:Redis";

    /// <summary>Every Redis channel this app uses starts with this, so other users of the same Redis are not disturbed.</summary>
    public const string ChannelPrefix = "isrm";

    /// <summary>The configured connection string, or null when the backplane is off.</summary>
    public static string? ConnectionString(IConfiguration configuration) =>
        configuration[ConfigurationKey] is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>
    /// Registers the backplane and the generation broadcaster. Whether Redis is used is decided when the first hub
    /// lifetime manager is built, from the final configuration (appsettings, environment, a test host's settings), not
    /// while services are still being registered.
    /// </summary>
    public static ISignalRServerBuilder AddIsrmScaleOut(this ISignalRServerBuilder signalR)
    {
        IServiceCollection services = signalR.Services;
        // What AddStackExchangeRedis(connection, o => o.Configuration.ChannelPrefix = …) sets, read from configuration.
        services.AddOptions<RedisOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            if (ConnectionString(configuration) is not { } connection) return;
            options.Configuration = ConfigurationOptions.Parse(connection);
            options.Configuration.ChannelPrefix = RedisChannel.Literal(ChannelPrefix);
        });
        services.TryAddSingleton(typeof(DefaultHubLifetimeManager<>));
        services.TryAddSingleton(typeof(RedisHubLifetimeManager<>));
        services.Replace(ServiceDescriptor.Singleton(typeof(HubLifetimeManager<>), typeof(IsrmHubLifetimeManager<>)));
        services.TryAddSingleton<GenerationBroadcaster>();
        return signalR;
    }
}

/// <summary>
/// Redis for the refinement hub when <c>Isrm:Redis</c> is set, in memory otherwise. Blazor's own circuit hub always
/// stays in memory: a circuit lives on one instance (that is what sticky sessions are for) and never uses groups.
/// </summary>
public sealed class IsrmHubLifetimeManager<THub> : HubLifetimeManager<THub> where THub : Hub
{
    // A container singleton like this one: the container disposes it (Redis closes its connection then).
    private readonly HubLifetimeManager<THub> _inner;

    public IsrmHubLifetimeManager(IServiceProvider services, IConfiguration configuration)
    {
        bool redis = typeof(RefinementHub).IsAssignableFrom(typeof(THub)) && RedisBackplane.ConnectionString(configuration) is not null;
        _inner = redis
            ? services.GetRequiredService<RedisHubLifetimeManager<THub>>()
            : services.GetRequiredService<DefaultHubLifetimeManager<THub>>();
    }

    /// <summary>True when messages go through Redis.</summary>
    public bool UsesRedis => _inner is RedisHubLifetimeManager<THub>;

    public override Task OnConnectedAsync(HubConnectionContext connection) => _inner.OnConnectedAsync(connection);
    public override Task OnDisconnectedAsync(HubConnectionContext connection) => _inner.OnDisconnectedAsync(connection);
    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendAllAsync(methodName, args, cancellationToken);
    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);
    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);
    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);
    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendGroupAsync(groupName, methodName, args, cancellationToken);
    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);
    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);
    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendUserAsync(userId, methodName, args, cancellationToken);
    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendUsersAsync(userIds, methodName, args, cancellationToken);
    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        _inner.AddToGroupAsync(connectionId, groupName, cancellationToken);
    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        _inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        _inner.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);
    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        _inner.SetConnectionResultAsync(connectionId, result);
    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        _inner.TryGetReturnType(invocationId, out type);
}
