namespace Isrm.Tests.Research;

/// <summary>
/// Classification trained end to end (issue 14.4): a document-disjoint split, Brown's 4 groups, the n-gram baseline,
/// fine-tuning that changes the model itself, and <c>isrm-research classify-e2e</c> on a tiny corpus.
/// </summary>
public sealed class GenreFineTuneTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>, IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // Two "genres" a model can tell apart from any window: one written in a–e, the other in v–z.
    private static List<CorpusDocument> Documents(int perGenre = 6)
    {
        var random = new Random(3);
        string Text(char first) => new(Enumerable.Range(0, 200).Select(i => i % 6 == 5 ? ' ' : (char)(first + random.Next(5))).ToArray());
        return Enumerable.Range(0, perGenre).SelectMany(i => new[] { new CorpusDocument($"n{i}", "news", Text('a')), new CorpusDocument($"r{i}", "romance", Text('v')) }).ToList();
    }

    [Fact]
    public void Brown_s_15_genres_fall_into_4_groups()
    {
        Assert.Equal(15, GenreFineTune.CoarseGroups.Count);
        Assert.Equal(["fiction", "general", "learned", "press"], GenreFineTune.CoarseGroups.Values.Distinct().Order());
    }

    [Fact]
    public void The_split_keeps_documents_apart_and_cuts_windows_of_the_context()
    {
        var docs = Documents();
        var settings = new GenreFineTune.Settings(Context: 32, WindowsPerDocument: 3, Coarse: true);
        var (classes, train, test) = GenreFineTune.Split(new ByteTokenizer(), docs.Take(8).ToList(), docs.Skip(8).ToList(), settings);
        Assert.Equal(["fiction", "press"], classes);
        Assert.Equal(8 * 3, train.Count);
        Assert.Equal(4 * 3, test.Count);
        Assert.All(train.Concat(test), s => Assert.Equal(32, s.Tokens.Length));
        Assert.Equal(0.5, GenreFineTune.Majority(train, test));
        var overlap = Assert.Throws<ArgumentException>(() => GenreFineTune.Split(new ByteTokenizer(), docs, docs.Take(1).ToList(), settings));
        Assert.Equal("training and held-out documents overlap.", overlap.Message);
    }

    [Fact]
    public void Accuracy_over_documents_averages_each_document_s_windows_and_takes_its_interval_over_documents()
    {
        var docs = Documents();
        var (_, _, test) = GenreFineTune.Split(new ByteTokenizer(), docs.Take(8).ToList(), docs.Skip(8).ToList(), new GenreFineTune.Settings(Context: 24, WindowsPerDocument: 4));
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], test.Select(s => s.Document));   // 4 held-out documents, 4 windows each
        // right: 4 of 4, 2 of 4, 3 of 4, 1 of 4 → 1, .5, .75, .25; mean .625, sd .3227, t(3) 3.182: ± .5135
        bool[] correct = [true, true, true, true, true, false, true, false, true, true, false, true, false, false, true, false];
        Assert.Equal([1.0, 0.5, 0.75, 0.25], GenreFineTune.PerDocument(test, correct));
        PairedInterval.Summary summary = GenreFineTune.ByDocument(test, correct);
        Assert.Equal(4, summary.Count);
        Assert.Equal(0.625, summary.Mean, 9);
        Assert.InRange(summary.THigh - summary.Mean, 0.5125, 0.5145);
        // the same 10 of 16 windows, as if independent, give a Wilson interval half as wide
        var (low, high) = PairedInterval.Wilson(10, 16);
        Assert.True(high - low < summary.THigh - summary.TLow);
    }

    [Fact]
    public void The_ngram_baseline_counts_every_ngram_and_separates_separable_classes()
    {
        var docs = Documents();
        var (_, train, test) = GenreFineTune.Split(new ByteTokenizer(), docs.Take(8).ToList(), docs.Skip(8).ToList(), new GenreFineTune.Settings(Context: 24, WindowsPerDocument: 4));
        using var scope = NewDisposeScope();
        Tensor counts = NgramBaseline.Features(train).expm1().sum(1);                          // 24 + 23 + 22 n-grams per window
        Assert.True((counts - 69).abs().max().item<float>() < 1e-2f);
        Assert.Equal(1.0, NgramBaseline.Accuracy(train, test, classes: 2, epochs: 50));
    }

    [Fact]
    public void Fine_tuning_trains_the_model_itself_not_only_the_head()
    {
        var docs = Documents();
        var settings = new GenreFineTune.Settings(Context: 16, WindowsPerDocument: 4, Steps: 40, Batch: 8, LearningRate: 3e-3);
        var (classes, train, test) = GenreFineTune.Split(new ByteTokenizer(), docs.Take(8).ToList(), docs.Skip(8).ToList(), settings);
        torch.manual_seed(1);
        using var model = new IsrmModel(RecurrentModels.Config("rlm"));
        float[] before = model.named_parameters().First(p => p.name.StartsWith("recurrent.", StringComparison.Ordinal)).parameter.detach().clone().data<float>().ToArray();
        GenreFineTune.Result r = GenreFineTune.Run(model, classes.Length, train, test, settings);
        float[] after = model.named_parameters().First(p => p.name.StartsWith("recurrent.", StringComparison.Ordinal)).parameter.detach().data<float>().ToArray();
        output.WriteLine($"accuracy {r.Accuracy:P1} after {r.Steps} steps, loss {r.FinalLoss:F3}");
        Assert.Equal(40, r.Steps);
        Assert.True(before.Zip(after).Any(p => p.First != p.Second), "the core's weights did not move");
        Assert.Equal(test.Count, Enumerable.Range(0, 2).Sum(i => Enumerable.Range(0, 2).Sum(j => r.Confusion[i, j])));
        Assert.True(r.Accuracy >= 0.9, $"accuracy {r.Accuracy} on a task a bag of letters solves");
    }

    [Fact]
    public void Classify_e2e_writes_a_row_per_labelling_with_its_baselines()
    {
        string corpus = Directory.CreateDirectory(_folder.Combine("brown")).FullName;
        var docs = Documents(5);
        foreach (CorpusDocument d in docs) File.WriteAllText(Path.Combine(corpus, d.Id + ".txt"), d.Text);
        File.WriteAllLines(Path.Combine(corpus, "labels.tsv"), docs.Select(d => $"{d.Id}\t{d.Genre}").Prepend("id\tgenre"));
        string json = _folder.Combine("classify.json");
        var (code, stdout, stderr) = BenchCommandTests.RunResearch("classify-e2e", "--checkpoint", tiny.Directory, "--corpus", corpus, "--steps", "3", "--batch", "4",
            "--context", "16", "--windows", "2", "--k", "2", "--json", json);
        output.WriteLine($"{stdout}\n{stderr}");
        Assert.True(code == 0, stderr);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement[] rows = document.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(["genres", "groups"], rows.Select(r => r.GetProperty("labels").GetString()));
        foreach (JsonElement row in rows)
        {
            Assert.Equal(3, row.GetProperty("steps").GetInt32());
            Assert.InRange(row.GetProperty("accuracy").GetDouble(), row.GetProperty("accuracyLow").GetDouble(), row.GetProperty("accuracyHigh").GetDouble());
            Assert.InRange(row.GetProperty("ngramAccuracy").GetDouble(), 0, 1);
            Assert.InRange(row.GetProperty("majority").GetDouble(), 0, 1);
            Assert.Equal(2, row.GetProperty("classes").GetArrayLength());
        }
        var (refused, _, error) = BenchCommandTests.RunResearch("classify-e2e", "--checkpoint", tiny.Directory, "--corpus", corpus, "--labels", "topics");
        Assert.Equal(1, refused);
        Assert.Equal("--labels must be genres, groups or both (got 'topics').", error.Trim());
    }
}
