namespace Isrm.Model.Runtime;

/// <summary>Parses the user's <c>--device cpu|cuda</c> choice into a TorchSharp device, with a clear error when unusable.</summary>
public static class ComputeDevice
{
    public const string Default = "cpu";

    /// <summary>Returns the device, or throws <see cref="ArgumentException"/> with one sentence saying what to do.</summary>
    public static torch.Device Parse(string? name)
    {
        string choice = string.IsNullOrWhiteSpace(name) ? Default : name.Trim().ToLowerInvariant();
        switch (choice)
        {
            case "cpu":
                return torch.CPU;
            case "cuda":
                if (!torch.cuda.is_available())
                    throw new ArgumentException(
                        "CUDA is not available: build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU, or use --device cpu.");
                return torch.CUDA;
            default:
                throw new ArgumentException($"Unknown device '{name}': use cpu or cuda.");
        }
    }
}
