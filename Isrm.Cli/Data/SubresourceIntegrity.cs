using System.Security.Cryptography;

namespace Isrm.Cli.Data;

/// <summary>Checks bytes against an npm <c>dist.integrity</c> string (<c>sha512-&lt;base64&gt;</c>, Subresource Integrity format).</summary>
public static class SubresourceIntegrity
{
    public static string Sha512Of(ReadOnlySpan<byte> data) => "sha512-" + Convert.ToBase64String(SHA512.HashData(data));

    /// <summary>True when one of the sha512 hashes listed in <paramref name="integrity"/> matches the data.</summary>
    public static bool Matches(string integrity, ReadOnlySpan<byte> data)
    {
        string actual = Sha512Of(data);
        // SRI allows several space-separated hashes; npm only ever lists sha512, which is all we trust.
        string[] sha512 = integrity.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(h => h.StartsWith("sha512-", StringComparison.Ordinal)).ToArray();
        if (sha512.Length == 0)
            throw new CorpusException($"The registry gave the integrity '{integrity}', which has no sha512 hash to check the download against.");
        return sha512.Any(h => string.Equals(h, actual, StringComparison.Ordinal));
    }
}
