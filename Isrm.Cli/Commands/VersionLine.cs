using System.Reflection;

namespace Isrm.Cli.Commands;

/// <summary>What <c>isrm --version</c> prints: our version and commit, TorchSharp's and .NET's.</summary>
internal static class VersionLine
{
    public static string Text()
    {
        string version = typeof(VersionLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        string torchSharp = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "unknown";
        return $"isrm {version} (TorchSharp {torchSharp}, .NET {Environment.Version})";
    }
}
