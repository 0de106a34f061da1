using Isrm.Web.State;

namespace Isrm.Web.Client;

/// <summary>Registration of what the pages use: the hub client (one connection per circuit).</summary>
public static class PageServiceExtensions
{
    public static IServiceCollection AddIsrmPages(this IServiceCollection services)
    {
        services.AddScoped<IRefinementApi, SignalRRefinementApi>();
        services.AddScoped<Conversation>();
        return services;
    }
}
