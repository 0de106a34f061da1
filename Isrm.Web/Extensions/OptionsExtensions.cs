namespace Isrm.Web.Extensions;

/// <summary>Binds the <c>Isrm</c> sections of configuration and checks them when the app starts, not at first use.</summary>
public static class OptionsExtensions
{
    public static IServiceCollection AddIsrmOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CheckpointOptions>().Bind(configuration.GetSection(CheckpointOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.CheckpointsPath), "Isrm:CheckpointsPath must name a folder.")
            .ValidateOnStart();
        services.AddOptions<ModelServiceOptions>().Bind(configuration.GetSection(ModelServiceOptions.Section))
            .Validate(o => o.MaxLoadedModels >= 1, "Isrm:Model:MaxLoadedModels must be at least 1.")
            .Validate(o => o.QueueCapacity >= 0, "Isrm:Model:QueueCapacity must be 0 or more.")
            .Validate(o => o.MaxBatch is >= 1 and <= 256, "Isrm:Model:MaxBatch must be from 1 to 256.")
            .Validate(o => o.Device is "cpu" or "cuda", "Isrm:Model:Device must be cpu or cuda.")
            .Validate(o => o.TorchThreads >= 1, "Isrm:Model:TorchThreads must be at least 1.")
            .Validate(o => o.MaxTokensLimit >= 1, "Isrm:Model:MaxTokensLimit must be at least 1.")
            .PostConfigure(o => { if (o.MaxLoops is int k) o.MaxK = k; })
            .Validate(o => o.MaxK >= 1, "Isrm:Model:MaxK must be at least 1.")
            .Validate(o => o.MaxPromptTokens >= 1, "Isrm:Model:MaxPromptTokens must be at least 1.")
            .Validate(o => o.MaxConcurrentGenerations >= 1, "Isrm:Model:MaxConcurrentGenerations must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<HubLimitsOptions>().Bind(configuration.GetSection(HubLimitsOptions.Section))
            .Validate(o => o.MaxMessageBytes >= 1024, "Isrm:Hub:MaxMessageBytes must be at least 1024.")
            .Validate(o => o.RequestsPerMinute >= 0, "Isrm:Hub:RequestsPerMinute must be 0 (no limit) or more.")
            .ValidateOnStart();
        services.AddOptions<TrainingViewOptions>().Bind(configuration.GetSection(TrainingViewOptions.Section))
            .Validate(o => o.PollSeconds >= 1, "Isrm:Training:PollSeconds must be at least 1.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>Resolves a configured folder against the content root.</summary>
    public static string ResolveFolder(this IHostEnvironment environment, string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path));
}
