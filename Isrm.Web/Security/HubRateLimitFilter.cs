using System.Threading.RateLimiting;

namespace Isrm.Web.Security;

/// <summary>
/// Gives each hub connection <see cref="HubLimitsOptions.RequestsPerMinute"/> invocations per fixed one-minute window;
/// one more fails at once with a sentence saying when to try again.
/// </summary>
public sealed class HubRateLimitFilter : IHubFilter, IDisposable
{
    private readonly int _perMinute;
    private readonly PartitionedRateLimiter<string> _limiter;

    public HubRateLimitFilter(IOptions<HubLimitsOptions> options)
    {
        _perMinute = options.Value.RequestsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(connectionId => RateLimitPartition.GetFixedWindowLimiter(
            connectionId, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, _perMinute),
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
    }

    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (_perMinute > 0)
        {
            using RateLimitLease lease = _limiter.AttemptAcquire(invocationContext.Context.ConnectionId);
            if (!lease.IsAcquired)
            {
                string when = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retry)
                    ? "in " + Math.Max(1, Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + " s"
                    : "in a minute";
                throw new HubException(
                    $"Too many requests: a connection may make {_perMinute} per minute; try again {when}.");
            }
        }
        return await next(invocationContext);
    }

    public void Dispose() => _limiter.Dispose();
}
