using Isrm.Web.Security;

namespace Isrm.Web.Extensions;

/// <summary>Registration of the refinement service (what the pages use) and of its hub (what outside clients use).</summary>
public static class RefinementExtensions
{
    /// <summary>The checkpoint catalog, the model backend and the in-process <see cref="IRefinementService"/>.</summary>
    public static IServiceCollection AddIsrmRefinement(this IServiceCollection services)
    {
        services.AddSingleton<IGenerationBackend, CheckpointBackend>();
        services.AddSingleton<CheckpointCatalog>();
        services.AddSingleton<RefinementService>();
        services.AddSingleton<IRefinementService>(sp => sp.GetRequiredService<RefinementService>());
        services.AddHostedService(sp => sp.GetRequiredService<RefinementService>());
        return services;
    }

    /// <summary>
    /// SignalR for <see cref="RefinementHub"/>: frames keep their <c>kind</c>, numbers may come as strings and as
    /// NaN/Infinity literals and strings may be invalid Unicode, so that validation (not binding) answers them.
    /// </summary>
    public static IServiceCollection AddIsrmHub(this IServiceCollection services)
    {
        services.AddSignalR(o => o.MaximumReceiveMessageSize = 256 * 1024)
            .AddJsonProtocol(o => WireJson.Configure(o.PayloadSerializerOptions))
            .AddHubOptions<RefinementHub>(o => o.AddFilter<HubRateLimitFilter>())
            .AddIsrmScaleOut();
        services.AddOptions<HubOptions<RefinementHub>>()
            .Configure<IOptions<HubLimitsOptions>>((hub, limits) => hub.MaximumReceiveMessageSize = limits.Value.MaxMessageBytes);
        services.AddSingleton<HubRateLimitFilter>();
        return services;
    }

    public static IEndpointRouteBuilder MapIsrmHubs(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<RefinementHub>(RefinementHub.Path);
        return endpoints;
    }
}
