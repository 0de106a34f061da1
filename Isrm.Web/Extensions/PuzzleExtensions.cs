namespace Isrm.Web.Extensions;

/// <summary>Registration of the puzzle settings (the limits of a solve, which the one refinement service applies) and the accuracy curves.</summary>
public static class PuzzleExtensions
{
    public static IServiceCollection AddIsrmPuzzles(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PuzzleOptions>().Bind(configuration.GetSection(PuzzleOptions.Section))
            .Validate(o => o.MaxK >= 1, "Isrm:Puzzles:MaxK must be at least 1.")
            .Validate(o => o.MaxBits >= 1, "Isrm:Puzzles:MaxBits must be at least 1.")
            .Validate(o => o.MaxMazeSize >= 2, "Isrm:Puzzles:MaxMazeSize must be at least 2.")
            .Validate(o => o.MaxInputChars >= 1, "Isrm:Puzzles:MaxInputChars must be at least 1.")
            .Validate(o => o.DenseSteps >= 1, "Isrm:Puzzles:DenseSteps must be at least 1.")
            .Validate(o => o.QueueCapacity >= 0, "Isrm:Puzzles:QueueCapacity must be 0 or more.")
            .ValidateOnStart();
        services.AddSingleton<PuzzleCurves>();
        return services;
    }
}
