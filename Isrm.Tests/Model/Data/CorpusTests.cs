namespace Isrm.Tests.Model.Data;

/// <summary>Any folder of .txt files is a corpus, split by document, the same way for the same seed.</summary>
public sealed class CorpusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("isrm-corpus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteDocuments(int count, Func<int, string>? genre = null)
    {
        for (int i = 0; i < count; i++) File.WriteAllText(Path.Combine(_dir, $"d{i:D3}.txt"), $"line one of {i}\nline two of {i}\n");
        if (genre is not null)
            File.WriteAllLines(Path.Combine(_dir, "labels.tsv"), ["id\tgenre", .. Enumerable.Range(0, count).Select(i => $"d{i:D3}\t{genre(i)}")]);
    }

    [Fact]
    public void A_folder_of_text_files_loads_with_ids_texts_and_optional_genres()
    {
        WriteDocuments(3, i => i == 0 ? "news" : "humor");
        File.WriteAllText(Path.Combine(_dir, "extra.txt"), "no label");
        File.WriteAllText(Path.Combine(_dir, "ignored.md"), "not a document");

        Corpus corpus = Corpus.Load(_dir);

        Assert.Equal(["d000", "d001", "d002", "extra"], corpus.Documents.Select(d => d.Id));
        Assert.Equal(["news", "humor", "humor", null], corpus.Documents.Select(d => d.Genre));
        Assert.Equal("line one of 1\nline two of 1\n", corpus.Documents[1].Text);
    }

    [Fact]
    public void A_missing_or_empty_folder_is_a_clear_error()
    {
        var missing = Assert.Throws<CorpusException>(() => Corpus.Load(Path.Combine(_dir, "nope")));
        var empty = Assert.Throws<CorpusException>(() => Corpus.Load(_dir));

        Assert.Contains("does not exist", missing.Message);
        Assert.Contains("holds no .txt files", empty.Message);
        BrownDownloadTests.AssertOneSentence(empty.Message);
    }

    [Fact]
    public void The_split_is_by_document_and_the_same_for_the_same_seed()
    {
        WriteDocuments(40);
        Corpus corpus = Corpus.Load(_dir);

        CorpusSplit a = corpus.Split(seed: 7, validationFraction: 0.25);
        CorpusSplit b = corpus.Split(seed: 7, validationFraction: 0.25);
        CorpusSplit other = corpus.Split(seed: 8, validationFraction: 0.25);

        Assert.Equal(10, a.Validation.Count);
        Assert.Equal(30, a.Train.Count);
        Assert.Empty(a.Train.Intersect(a.Validation));
        Assert.Equal(corpus.Documents.Select(d => d.Id).Order(), a.Train.Concat(a.Validation).Order());
        Assert.Equal(a.Validation, b.Validation);
        Assert.NotEqual(a.Validation, other.Validation);
        var (train, validation) = corpus.Partition(a);
        Assert.Equal(a.Validation, validation.Select(d => d.Id));
        Assert.All(validation, d => Assert.Contains("line two", d.Text));
        Assert.Equal(30, train.Count);
    }

    [Fact]
    public void Every_genre_keeps_its_share_of_validation_documents()
    {
        WriteDocuments(30, i => i < 20 ? "learned" : "humor");

        CorpusSplit split = Corpus.Load(_dir).Split(seed: 1, validationFraction: 0.2);

        Assert.Equal(4, split.Validation.Count(id => int.Parse(id[1..]) < 20));
        Assert.Equal(2, split.Validation.Count(id => int.Parse(id[1..]) >= 20));
    }

    [Fact]
    public void A_split_written_as_json_reads_back_the_same()
    {
        WriteDocuments(12);
        CorpusSplit split = Corpus.Load(_dir).Split(seed: 3, validationFraction: 0.25);
        string path = Path.Combine(_dir, "split.json");

        split.Save(path);
        CorpusSplit back = CorpusSplit.Load(path);

        Assert.Contains("\"validation\": [", File.ReadAllText(path));
        Assert.Equal(split.Validation, back.Validation);
        Assert.Equal(split.Train, back.Train);
        Assert.Equal(3, back.Seed);
        Assert.Equal(0.25, back.ValidationFraction);
    }

    [Fact]
    public void A_fraction_that_leaves_nothing_to_train_on_is_refused()
    {
        WriteDocuments(2);
        Corpus corpus = Corpus.Load(_dir);

        Assert.Throws<CorpusException>(() => corpus.Split(1, 1.0));
        Assert.Throws<CorpusException>(() => corpus.Split(1, 0.9));
    }

    [Theory]
    [InlineData("The jury said \"no\".", 4)]
    [InlineData("  -- , ok 1961  ", 2)]
    [InlineData("", 0)]
    public void Words_are_pieces_with_a_letter_or_digit(string text, int words) =>
        Assert.Equal(words, Corpus.CountWords(text));
}
