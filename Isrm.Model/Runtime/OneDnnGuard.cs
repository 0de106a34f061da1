using System.Runtime.CompilerServices;

namespace Isrm.Model.Runtime;

/// <summary>
/// Keeps libtorch's oneDNN convolution kernels to SSE4.1 unless the user chose otherwise. On the AMD EPYC machines we
/// develop and test on (AVX-512 with VP2INTERSECT), libtorch 2.10's oneDNN AVX and AVX-512 convolutions gave wrong
/// results: one instance convolved in a batch of two differed from the same instance alone by up to 0.9, and long runs
/// turned to NaN now and then (a 3×3, 35 → 32-channel conv2d; checked by <c>ConvolutionCorrectnessTests</c>). With
/// <c>ONEDNN_MAX_CPU_ISA=SSE41</c> the results agree to 4e-7. The variable must reach the native environment before
/// oneDNN's first convolution, so it is set through libc's <c>setenv</c> when this assembly loads; an explicit
/// <c>ONEDNN_MAX_CPU_ISA</c> (e.g. <c>ALL</c>, on a machine where the fast kernels are right) is left alone.
/// </summary>
public static class OneDnnGuard
{
    public const string Variable = "ONEDNN_MAX_CPU_ISA";
    public const string SafeIsa = "SSE41";

    /// <summary>The ISA limit in force: the user's, or <see cref="SafeIsa"/>.</summary>
    public static string? Isa { get; private set; }

    // A library's module initializer is the one place that runs before any of its tensor code, whichever app loads it.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "must precede oneDNN's first convolution in every host")]
    [ModuleInitializer]
    internal static void Apply()
    {
        string? chosen = Environment.GetEnvironmentVariable(Variable);
        if (chosen is not null) { Isa = chosen; return; }
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (SetEnv(Variable, SafeIsa, 0) == 0) Isa = SafeIsa;
        }
        else if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable(Variable, SafeIsa);   // the process environment the native code reads
            Isa = SafeIsa;
        }
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi)]
    private static extern int SetEnv(string name, string value, int overwrite);
}
