namespace Isrm.Tests;

/// <summary>Paths in the checkout the tests run from.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Isrm.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the tests run outside the repository (no Isrm.sln above them)");
    }
}
