// Marks one symbol-version requirement of an ELF64 shared library as weak (VER_FLG_WEAK), so that the dynamic
// loader accepts the library on a host whose libstdc++ lacks that version. Compiled twice: into the MSBuild
// inline task below (the build's patch step) and, with ISRM_ELF_TESTS defined, into Isrm.Tests.
using System;
using System.IO;
using System.Text;

namespace Isrm.Build
{
    /// <summary>What <see cref="ElfVersionWeakener.MarkWeak(string, string)"/> did to a library.</summary>
    public enum WeakenOutcome { Patched, AlreadyWeak, NotRequired }

    /// <summary>Finds an Elf64_Vernaux entry by name in .gnu.version_r and sets VER_FLG_WEAK on it.</summary>
    public static class ElfVersionWeakener
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>Byte offset of the vna_flags field of the named requirement, or -1 when the file does not need it.</summary>
        public static long FindFlagsOffset(byte[] elf, string versionName)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 is supported");

            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long verneed = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
                uint strtabIndex = BitConverter.ToUInt32(elf, (int)sh + 40);
                uint count = BitConverter.ToUInt32(elf, (int)sh + 44);
                long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + strtabIndex * shentsize) + 24);

                long need = verneed;
                for (uint n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                    long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        long name = strtab + BitConverter.ToUInt32(elf, (int)aux + 8);
                        if (NameEquals(elf, name, versionName)) return aux + 4;
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    need += BitConverter.ToUInt32(elf, (int)need + 12);
                }
            }
            return -1;
        }

        /// <summary>Sets the weak flag in place in a byte image; returns what it found.</summary>
        public static WeakenOutcome MarkWeak(byte[] elf, string versionName)
        {
            long offset = FindFlagsOffset(elf, versionName);
            if (offset < 0) return WeakenOutcome.NotRequired;
            ushort flags = BitConverter.ToUInt16(elf, (int)offset);
            if ((flags & VerFlgWeak) != 0) return WeakenOutcome.AlreadyWeak;
            flags |= VerFlgWeak;
            elf[offset] = (byte)(flags & 0xff);
            elf[offset + 1] = (byte)(flags >> 8);
            return WeakenOutcome.Patched;
        }

        /// <summary>Patches a file through a temporary sibling and an atomic rename; an unchanged file is never rewritten.</summary>
        public static WeakenOutcome MarkWeak(string path, string versionName)
        {
            byte[] elf = File.ReadAllBytes(path);
            WeakenOutcome outcome = MarkWeak(elf, versionName);
            if (outcome != WeakenOutcome.Patched) return outcome;

            string temp = path + ".isrm-" + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                // Copy first so the temporary file keeps the original's permissions, then overwrite its bytes.
                File.Copy(path, temp, overwrite: true);
                using (var stream = new FileStream(temp, FileMode.Truncate, FileAccess.Write))
                    stream.Write(elf, 0, elf.Length);
                // On Unix File.Replace is rename(2): atomic, and it replaces the directory entry only, so a hard
                // link into the NuGet cache stays untouched.
                File.Replace(temp, path, null);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            return outcome;
        }

        /// <summary>True when a libstdc++ of this host defines the version (then no patch is needed).</summary>
        public static bool HostLibStdCxxHas(string versionName)
        {
            byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
            foreach (string candidate in LibStdCxxCandidates())
            {
                if (!File.Exists(candidate)) continue;
                if (IndexOf(File.ReadAllBytes(candidate), needle) >= 0) return true;
            }
            return false;
        }

        private static string[] LibStdCxxCandidates() => new[]
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        private static bool NameEquals(byte[] elf, long at, string name)
        {
            for (int i = 0; i < name.Length; i++)
                if (elf[at + i] != (byte)name[i]) return false;
            return elf[at + name.Length] == 0;
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }
}

#if !ISRM_ELF_TESTS
namespace Isrm.Build
{
    /// <summary>MSBuild task: patch the copied libLibTorchSharp.so according to the auto|always|never switch.</summary>
    public class MarkLibTorchSharpWeak : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string LibraryPath { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Mode { get; set; } = "auto";
        public string VersionName { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            string mode = Mode.Trim().ToLowerInvariant();
            if (mode != "auto" && mode != "always" && mode != "never")
            {
                Log.LogError("IsrmPatchLibTorchSharp must be auto, always or never (got '{0}').", Mode);
                return false;
            }
            if (mode == "never" || !File.Exists(LibraryPath)) return true;
            if (mode == "auto" && (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) || ElfVersionWeakener.HostLibStdCxxHas(VersionName))) return true;

            WeakenOutcome outcome = ElfVersionWeakener.MarkWeak(LibraryPath, VersionName);
            if (outcome == WeakenOutcome.Patched)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "isrm: marked {0} weak in {1} (host libstdc++ lacks it)", VersionName, LibraryPath);
            return true;
        }
    }
}
#endif
