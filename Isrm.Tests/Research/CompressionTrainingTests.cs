namespace Isrm.Tests.Research;

/// <summary>
/// Compression trained end to end (issue 14.5): L bytes → M vectors → L bytes for every family, the bottleneck is the
/// memory tokens' outputs only, the encoder learns with the decoder, and <c>isrm-research compress-e2e</c> on a tiny corpus.
/// </summary>
public sealed class CompressionTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static IsrmModel Encoder(string family, int vectors, int length, int seed = 2)
    {
        torch.manual_seed(seed);
        var config = RecurrentModels.Config(family) with
        {
            VocabSize = CompressionTraining.VocabSize(vectors), MaxContext = length + vectors, StepEmbedding = StepEmbeddingKind.None, HaltingHead = false,
        };
        return new IsrmModel(config);
    }

    private static long[] Windows(Random random, int batch, int length) =>
        Enumerable.Range(0, batch * length).Select(_ => (long)"the cat sat on a mat "[random.Next(21)]).ToArray();

    [Theory]
    [InlineData("rlm")]
    [InlineData("rlt")]
    [InlineData("gated-rlt")]
    [InlineData("transformer")]
    [InlineData("isrm")]
    public void Every_family_encodes_a_window_into_m_vectors_and_trains_with_the_decoder(string family)
    {
        var training = new CompressionTraining(Length: 12, Vectors: 4, Steps: 3, Minutes: 5, Batch: 4, Warmup: 1, K: 2);
        using var encoder = Encoder(family, 4, 12);
        using var decoder = training.NewDecoder(encoder);
        float[] before = encoder.named_parameters().First(p => p.name.StartsWith("embedding", StringComparison.Ordinal)).parameter.detach().clone().data<float>().ToArray();
        var outcome = training.Run(encoder, decoder, (random, n) => Windows(random, n, 12));
        float[] after = encoder.named_parameters().First(p => p.name.StartsWith("embedding", StringComparison.Ordinal)).parameter.detach().data<float>().ToArray();
        Assert.Equal(3, outcome.Steps);
        Assert.True(double.IsFinite(outcome.FinalLoss) && outcome.FinalLoss > 0);
        Assert.True(before.Zip(after).Any(p => p.First != p.Second), "the decoder's loss did not reach the encoder");
        using (no_grad())
        {
            Tensor memory = training.Encode(encoder, tensor(Windows(new Random(5), 3, 12), new long[] { 3, 12 }));
            Assert.Equal(new long[] { 3, 4, encoder.Config.Width }, memory.shape);
            Assert.True(memory.isfinite().all().item<bool>());
        }
        var windows = Enumerable.Range(0, 5).Select(i => Windows(new Random(10 + i), 1, 12).Select(b => (int)b).ToArray()).ToList();
        var score = training.Evaluate(encoder, decoder, windows, mostFrequentByte: ' ');
        Assert.InRange(score.Accuracy, 0, 1);
        Assert.Equal(4, score.Quarters.Length);
        Assert.Equal(score.Accuracy, score.Quarters.Average(), 5);                 // 12 bytes: four quarters of 3
        Assert.Equal(5, score.Windows);
        Assert.InRange(score.MostFrequentByte, 0.01, 1);
    }

    [Theory]
    [InlineData("rlm")]
    [InlineData("transformer")]
    public void The_memory_vectors_depend_on_the_bytes_read_even_the_first(string family)
    {
        var training = new CompressionTraining(Length: 10, Vectors: 3);
        using var encoder = Encoder(family, 3, 10);
        encoder.eval();
        using var noGrad = no_grad();
        long[] a = Windows(new Random(1), 1, 10), b = (long[])a.Clone();
        b[0] = a[0] == 'x' ? 'y' : 'x';
        Tensor ma = training.Encode(encoder, tensor(a, new long[] { 1, 10 })), mb = training.Encode(encoder, tensor(b, new long[] { 1, 10 }));
        Assert.True((ma - mb).abs().max().item<float>() > 1e-5f, "changing the first byte left the memory unchanged");
        Tensor again = training.Encode(encoder, tensor(a, new long[] { 1, 10 }));
        Assert.True((ma - again).abs().max().item<float>() < 1e-6f, "encoding is not deterministic in eval mode");
    }

    [Fact]
    public void A_transformer_learns_to_reconstruct_a_few_windows_it_sees_again_and_again()
    {
        var fixedWindows = Enumerable.Range(0, 2).Select(i => Windows(new Random(30 + i), 1, 8)).ToArray();
        var training = new CompressionTraining(Length: 8, Vectors: 4, Steps: 150, Minutes: 5, Batch: 2, LearningRate: 1e-2, Warmup: 5);
        using var encoder = Encoder("transformer", 4, 8);
        using var decoder = training.NewDecoder(encoder);
        var windows = fixedWindows.Select(w => w.Select(b => (int)b).ToArray()).ToList();
        double untrained = training.Evaluate(encoder, decoder, windows, ' ').Accuracy;
        training.Run(encoder, decoder, (random, n) => Enumerable.Range(0, n).SelectMany(i => fixedWindows[i % 2]).ToArray());
        var score = training.Evaluate(encoder, decoder, windows, ' ');
        output.WriteLine($"accuracy untrained {untrained:P1}, trained {score.Accuracy:P1}");
        Assert.True(score.Accuracy >= 0.9, $"accuracy {score.Accuracy} on two windows seen 150 times each");
        Assert.True(score.Accuracy > untrained);
    }

    [Fact]
    public void Windows_of_the_wrong_length_and_encoders_without_room_are_refused()
    {
        var training = new CompressionTraining(Length: 12, Vectors: 4);
        using var encoder = Encoder("transformer", 4, 12);
        using var noGrad = no_grad();
        var e = Assert.Throws<ArgumentException>(() => training.Encode(encoder, zeros(new long[] { 1, 10 }, int64)));
        Assert.Contains("12 bytes", e.Message);
        using var small = Encoder("transformer", 4, 8);                                                  // context 12 < 16
        Assert.Contains("need 16", Assert.Throws<ArgumentException>(() => training.Encode(small, zeros(new long[] { 1, 12 }, int64))).Message);
        using var fewTokens = Encoder("rlm", 2, 12);                                                    // vocabulary 258
        Assert.Contains("no room", Assert.Throws<ArgumentException>(() => training.Encode(fewTokens, zeros(new long[] { 1, 12 }, int64))).Message);
    }

    [Fact]
    public void Compress_e2e_writes_a_row_per_length_and_the_report_a_table_and_plot()
    {
        string corpus = Directory.CreateDirectory(_folder.Combine("text")).FullName;
        var random = new Random(4);
        for (int d = 0; d < 10; d++)
            File.WriteAllText(Path.Combine(corpus, $"d{d}.txt"), new string(Enumerable.Range(0, 300).Select(_ => "abcde fghij "[random.Next(12)]).ToArray()));
        string json = _folder.Combine("rlm.json");
        var (code, stdout, stderr) = BenchCommandTests.RunResearch("compress-e2e", "--family", "rlm", "--corpus", corpus, "--lengths", "8,16", "--vectors", "4",
            "--width", "24", "--neurons", "16", "--sync-pairs", "40", "--steps", "3", "--batch", "4", "--test-windows", "4", "--json", json);
        output.WriteLine($"{stdout}\n{stderr}");
        Assert.True(code == 0, stderr);
        using (JsonDocument document = JsonDocument.Parse(File.ReadAllText(json)))
        {
            Assert.Equal("rlm", document.RootElement.GetProperty("family").GetString());
            Assert.Equal(16 + 40 + 24, document.RootElement.GetProperty("stateFloats").GetInt64());
            JsonElement[] rows = document.RootElement.GetProperty("rows").EnumerateArray().ToArray();
            Assert.Equal([8, 16], rows.Select(r => r.GetProperty("length").GetInt32()));
            Assert.All(rows, r => Assert.Equal(3, r.GetProperty("steps").GetInt32()));
            Assert.All(rows, r => Assert.InRange(r.GetProperty("accuracy").GetDouble(), 0, 1));
            Assert.All(rows, r => Assert.Equal(4, r.GetProperty("testWindows").GetInt32()));
        }
        string report = _folder.Combine("report");
        var (reported, table, reportError) = BenchCommandTests.RunResearch("compress-report", "--runs", json, "--out", report);
        Assert.True(reported == 0, reportError);
        Assert.Contains("| rlm | rlm | state 80 |", table);
        Assert.Contains("L=16", table);
        Assert.True(new FileInfo(Path.Combine(report, "compress.png")).Length > 1000);

        var (refused, _, error) = BenchCommandTests.RunResearch("compress-e2e", "--family", "rlm", "--corpus", corpus, "--lengths", "8,2", "--json", json + ".again");
        Assert.Equal(1, refused);
        Assert.Contains("'2' is not one", error);
        (refused, _, error) = BenchCommandTests.RunResearch("compress-e2e", "--family", "rlm", "--corpus", corpus, "--lengths", "8,16", "--minutes", "1,2,3", "--json", json + ".again");
        Assert.Equal(1, refused);
        Assert.Contains("3 budgets for 2 lengths", error);
    }
}
