using Microsoft.Extensions.Options;

namespace Isrm.Web.Puzzles;

/// <summary>Registration of the Puzzles page's services and settings.</summary>
public static class PuzzleServiceExtensions
{
    public static IServiceCollection AddIsrmPuzzles(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PuzzleOptions>()
            .Bind(configuration.GetSection(PuzzleOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PuzzleOptions>, PuzzleOptionsValidator>();
        services.AddSingleton<PuzzleCatalog>();
        services.AddSingleton<PuzzleCurves>();
        services.AddSingleton<PuzzleService>();
        return services;
    }

    private sealed class PuzzleOptionsValidator : IValidateOptions<PuzzleOptions>
    {
        public ValidateOptionsResult Validate(string? name, PuzzleOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
