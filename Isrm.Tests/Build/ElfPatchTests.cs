using Isrm.Build;

namespace Isrm.Tests.Build;

/// <summary>The build's ELF edit sets exactly one flag in a copy of libLibTorchSharp.so and is idempotent.</summary>
public class ElfPatchTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private readonly string _dir = Directory.CreateTempSubdirectory("isrm-elf-").FullName;
    private readonly string _original = Path.Combine(AppContext.BaseDirectory, "fixtures", "libLibTorchSharp.original.so");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CopyOfOriginal()
    {
        Assert.True(File.Exists(_original), $"fixture missing: {_original}");
        string copy = Path.Combine(_dir, "libLibTorchSharp.so");
        File.Copy(_original, copy);
        return copy;
    }

    [Fact]
    public void The_unpatched_library_requires_the_version_strongly()
    {
        byte[] bytes = File.ReadAllBytes(_original);
        long offset = ElfVersionWeakener.FindFlagsOffset(bytes, Version);
        Assert.True(offset > 0);
        Assert.Equal(0, BitConverter.ToUInt16(bytes, (int)offset) & 2);
    }

    [Fact]
    public void Patching_sets_the_weak_flag_and_changes_nothing_else()
    {
        string copy = CopyOfOriginal();
        byte[] before = File.ReadAllBytes(copy);

        Assert.Equal(WeakenOutcome.Patched, ElfVersionWeakener.MarkWeak(copy, Version));

        byte[] after = File.ReadAllBytes(copy);
        long offset = ElfVersionWeakener.FindFlagsOffset(after, Version);
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(2, BitConverter.ToUInt16(after, (int)offset) & 2);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.All(changed, i => Assert.InRange(i, offset, offset + 1));
        Assert.NotEmpty(changed);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void A_second_run_changes_nothing()
    {
        string copy = CopyOfOriginal();
        ElfVersionWeakener.MarkWeak(copy, Version);
        byte[] once = File.ReadAllBytes(copy);
        DateTime written = File.GetLastWriteTimeUtc(copy);

        Assert.Equal(WeakenOutcome.AlreadyWeak, ElfVersionWeakener.MarkWeak(copy, Version));
        Assert.Equal(once, File.ReadAllBytes(copy));
        Assert.Equal(written, File.GetLastWriteTimeUtc(copy));
    }

    [Fact]
    public void A_version_the_library_does_not_need_is_left_alone()
    {
        string copy = CopyOfOriginal();
        byte[] before = File.ReadAllBytes(copy);
        Assert.Equal(WeakenOutcome.NotRequired, ElfVersionWeakener.MarkWeak(copy, "GLIBCXX_9.9.99"));
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionWeakener.FindFlagsOffset(new byte[128], Version));
    }

    [Fact]
    public void The_build_output_copy_was_patched_only_if_the_host_needs_it()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(output), "the RID build should put libLibTorchSharp.so in the output root");
        byte[] bytes = File.ReadAllBytes(output);
        bool weak = (BitConverter.ToUInt16(bytes, (int)ElfVersionWeakener.FindFlagsOffset(bytes, Version)) & 2) != 0;
        Assert.Equal(!ElfVersionWeakener.HostLibStdCxxHas(Version), weak);
        // The NuGet cache is never touched: the fixture (copied from it) is still unpatched.
        byte[] original = File.ReadAllBytes(_original);
        Assert.Equal(0, BitConverter.ToUInt16(original, (int)ElfVersionWeakener.FindFlagsOffset(original, Version)) & 2);
    }
}
