using System.Runtime.InteropServices;

namespace Isrm.Bench;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>). On a shared machine wall time measures the
/// other tenants as much as us; with one TorchSharp thread all tensor work runs inline on the model thread, so its
/// CPU time is the work done. Elsewhere it falls back to wall time.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // DllImport (not LibraryImport): a blittable out-struct needs no generated marshalling or unsafe code.
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    public static bool IsThreadTime => OperatingSystem.IsLinux();

    /// <summary>Seconds of CPU used by this thread so far (or wall seconds since an arbitrary origin).</summary>
    public static double Seconds()
    {
        if (IsThreadTime && ClockGetTime(ClockThreadCpuTimeId, out TimeSpec time) == 0)
            return time.Seconds + time.Nanoseconds * 1e-9;
        return System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency;
    }
}
