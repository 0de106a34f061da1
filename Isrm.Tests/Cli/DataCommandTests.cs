namespace Isrm.Tests.Cli;

/// <summary><c>isrm data</c> run as a real process: downloads from a local registry, trains a tokenizer, and fails in one sentence.</summary>
public sealed class DataCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("isrm-datacli-").FullName;
    private string Out => Path.Combine(_dir, "brown");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Brown_downloads_once_then_reports_the_cache()
    {
        using var registry = new LocalRegistry(BrownFixture.Tarball());

        var (code, output, error) = CommandLineTests.RunIsrm("data", "brown", "--registry", registry.Url, "--out", Out, "--json");
        int requests = registry.Requests;
        var (secondCode, secondOutput, _) = CommandLineTests.RunIsrm("data", "brown", "--registry", registry.Url, "--out", Out, "--json");

        Assert.True(code == 0, error);
        using JsonDocument first = JsonDocument.Parse(output);
        Assert.False(first.RootElement.GetProperty("fromCache").GetBoolean());
        Assert.Equal(3, first.RootElement.GetProperty("manifest").GetProperty("documents").GetInt32());
        Assert.Equal(0, secondCode);
        using JsonDocument second = JsonDocument.Parse(secondOutput);
        Assert.True(second.RootElement.GetProperty("fromCache").GetBoolean());
        Assert.Equal(requests, registry.Requests);
        Assert.Equal(BrownFixture.Plain["cn01"], File.ReadAllText(Path.Combine(Out, "cn01.txt")));
    }

    [Fact]
    public void Brown_without_json_prints_a_summary()
    {
        using var registry = new LocalRegistry(BrownFixture.Tarball());

        var (code, output, error) = CommandLineTests.RunIsrm("data", "brown", "--registry", registry.Url, "--out", Out);

        Assert.True(code == 0, error);
        Assert.Contains("3 documents", output);
        Assert.Contains("editorial", output);
    }

    [Fact]
    public void A_bad_hash_exits_1_with_one_sentence_and_no_cache()
    {
        using var registry = new LocalRegistry(BrownFixture.Tarball()) { Integrity = BrownFixture.Integrity([0]) };

        var (code, output, error) = CommandLineTests.RunIsrm("data", "brown", "--registry", registry.Url, "--out", Out);

        Assert.Equal(1, code);
        string sentence = error.Trim();
        Assert.Contains("failed its sha512 integrity check", sentence);
        BrownDownloadTests.AssertOneSentence(sentence);
        Assert.DoesNotContain("Exception", error + output);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Tokenizer_trains_a_bpe_that_loads_back()
    {
        string corpus = Path.Combine(_dir, "corpus");
        Directory.CreateDirectory(corpus);
        foreach ((string id, string text) in BrownFixture.Plain) File.WriteAllText(Path.Combine(corpus, id + ".txt"), text);
        string tokenizer = Path.Combine(_dir, "bpe");

        var (code, output, error) = CommandLineTests.RunIsrm("data", "tokenizer", "--corpus", corpus, "--vocab", "280", "--out", tokenizer, "--json");

        Assert.True(code == 0, error);
        using JsonDocument report = JsonDocument.Parse(output);
        Assert.True(report.RootElement.GetProperty("lossless").GetBoolean());
        Assert.Equal(3, report.RootElement.GetProperty("documents").GetInt32());
        ITextTokenizer loaded = TokenizerStore.Load(tokenizer);
        Assert.Equal("bpe", loaded.Kind);
        Assert.Equal(report.RootElement.GetProperty("vocabSize").GetInt32(), loaded.VocabSize);
    }

    [Fact]
    public void Tokenizer_on_an_empty_folder_exits_1_with_one_sentence()
    {
        var (code, _, error) = CommandLineTests.RunIsrm("data", "tokenizer", "--corpus", _dir, "--out", Path.Combine(_dir, "bpe"));

        Assert.Equal(1, code);
        Assert.Contains("holds no .txt files", error);
        BrownDownloadTests.AssertOneSentence(error.Trim());
    }
}
