namespace Isrm.Tests.Model.Tokenization;

/// <summary>A folder's tokenizer.json says which tokenizer to load; a missing or unknown one is a clear error.</summary>
public sealed class TokenizerStoreTests(TrainedBpe trained) : IClassFixture<TrainedBpe>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("isrm-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_saved_byte_tokenizer_loads_back()
    {
        new ByteTokenizer().Save(_dir);

        ITextTokenizer loaded = TokenizerStore.Load(_dir);

        Assert.IsType<ByteTokenizer>(loaded);
        Assert.Equal(256, loaded.VocabSize);
    }

    [Fact]
    public void A_saved_bpe_tokenizer_loads_back_and_encodes_the_same()
    {
        trained.Tokenizer.Save(_dir);

        ITextTokenizer loaded = TokenizerStore.Load(_dir);

        Assert.Equal("bpe", loaded.Kind);
        Assert.Equal(trained.Tokenizer.VocabSize, loaded.VocabSize);
        string text = string.Concat(TrainedBpe.Texts);
        Assert.Equal(trained.Tokenizer.Encode(text), loaded.Encode(text));
    }

    [Fact]
    public void A_folder_without_tokenizer_json_is_a_clear_error()
    {
        var error = Assert.Throws<TokenizerException>(() => TokenizerStore.Load(_dir));
        Assert.Contains("tokenizer.json is missing", error.Message);
    }

    [Fact]
    public void An_unknown_kind_or_missing_bpe_files_are_clear_errors()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{\"kind\":\"wordpiece\"}");
        var unknown = Assert.Throws<TokenizerException>(() => TokenizerStore.Load(_dir));

        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{\"kind\":\"bpe\"}");
        var noFiles = Assert.Throws<TokenizerException>(() => TokenizerStore.Load(_dir));

        Assert.Contains("'wordpiece'", unknown.Message);
        Assert.Contains("lacks vocab.json or merges.txt", noFiles.Message);
    }
}
