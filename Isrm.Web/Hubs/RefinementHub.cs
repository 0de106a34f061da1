using System.Runtime.CompilerServices;
using Isrm.Model.Checkpoints;
using Isrm.Model.Generation;
using Isrm.Web.Models;
using Isrm.Web.Security;
using Isrm.Web.ScaleOut;
using Isrm.Web.Services;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Isrm.Web.Hubs;

/// <summary>
/// <c>/hubs/refinement</c>: lists checkpoints and streams a generation's refinement steps. The web pages use this
/// hub through a SignalR client too, so external clients get exactly what the browser gets.
/// </summary>
public sealed partial class RefinementHub(
    CheckpointCatalog catalog, ModelService models, IOptions<ModelServiceOptions> options, GenerationBroadcaster watchers)
    : Hub<IRefinementHubClient>
{
    public const string Path = "/hubs/refinement";

    /// <summary>Every checkpoint folder; an unusable one says why.</summary>
    public IReadOnlyList<CheckpointListing> ListCheckpoints() => catalog.List();

    /// <summary>Streams <c>step</c>, <c>token</c> and <c>done</c> frames; cancelling the stream stops the computation.</summary>
    public IAsyncEnumerable<object> Generate(GenerateRequestDto request, CancellationToken cancellation)
    {
        GenerationRequest model = RequestValidator.Validate(request, options.Value, out string error)
            ?? throw new HubException(error);
        if (!catalog.TryResolve(request.Checkpoint, out string directory, out error)) throw new HubException(error);
        IRefinementHubClient caller = Clients.Caller;
        try
        {
            return watchers.Publish(caller, Stream(models.Generate(directory, model, ahead => caller.Queued(ahead), cancellation), cancellation), cancellation);
        }
        catch (ModelBusyException busy)
        {
            throw new HubException(busy.Message);
        }
    }

    private static async IAsyncEnumerable<object> Stream(
        IAsyncEnumerable<GenerationEvent> events, [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using IAsyncEnumerator<GenerationEvent> enumerator = events.GetAsyncEnumerator(cancellation);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync()) yield break;
            }
            catch (Exception e) when (e is CheckpointException or ArgumentException)
            {
                // a checkpoint that inspects fine but fails to load, or a request the model itself refuses
                throw new HubException(e.Message);
            }
            yield return FrameMapper.ToFrame(enumerator.Current);
        }
    }
}

/// <summary>Registration of the model service and the hub.</summary>
public static class RefinementHubExtensions
{
    /// <summary>Numbers may come as strings and as NaN/Infinity literals, so that validation (not binding) rejects them.</summary>
    public const System.Text.Json.Serialization.JsonNumberHandling WireNumbers =
        System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString
        | System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;

    public static IServiceCollection AddIsrmModelService(this IServiceCollection services)
    {
        services.AddSignalR(o => o.MaximumReceiveMessageSize = 256 * 1024)
            .AddJsonProtocol(o =>
            {
                o.PayloadSerializerOptions.NumberHandling = WireNumbers;
                o.PayloadSerializerOptions.Converters.Add(new LenientStringConverter());
            })
            .AddHubOptions<RefinementHub>(o => o.AddFilter<HubRateLimitFilter>())
            .AddIsrmScaleOut();
        services.AddOptions<HubOptions<RefinementHub>>()
            .Configure<IOptions<HubLimitsOptions>>((hub, limits) => hub.MaximumReceiveMessageSize = limits.Value.MaxMessageBytes);
        services.AddSingleton<HubRateLimitFilter>();
        services.AddSingleton<IGenerationBackend, CheckpointBackend>();
        services.AddSingleton<CheckpointCatalog>();
        services.AddSingleton<ModelService>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelService>());
        return services;
    }

    public static IEndpointRouteBuilder MapIsrmHubs(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<RefinementHub>(RefinementHub.Path);
        return endpoints;
    }
}
