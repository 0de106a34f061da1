namespace Isrm.Research.Probes;

/// <summary>
/// Genre classification on Brown's 15 genres (the stand-in for the proposal's AG News): windows of each document are
/// read by the frozen language model and a <see cref="ClassificationHead"/> is trained on their final + mean states.
/// Documents are split per genre (every fifth document is held out), so no held-out text is seen by the head.
/// </summary>
public static class GenreProbe
{
    /// <summary>How to sample windows and train the head.</summary>
    public sealed record Settings(int Context = 128, int WindowsPerDocument = 4, int Epochs = 300, double LearningRate = 1e-2, int Seed = 1, int K = 8);

    /// <summary>Accuracy on held-out documents' windows, the majority-class baseline and the confusion matrix [true, predicted].</summary>
    public sealed record Result(IReadOnlyList<string> Genres, double Accuracy, double MajorityBaseline, int[,] Confusion, int TrainWindows, int TestWindows);

    public static Result Run(IsrmModel model, ITextTokenizer tokenizer, IReadOnlyList<CorpusDocument> documents, Settings settings, Action<string>? progress = null)
    {
        var labelled = documents.Where(d => d.Genre is not null).ToList();
        if (labelled.Count == 0) throw new ArgumentException("the corpus has no genre labels (labels.tsv); 'isrm data brown' writes them.");
        string[] genres = labelled.Select(d => d.Genre!).Distinct().Order(StringComparer.Ordinal).ToArray();
        var train = new List<(int[] Tokens, int Label)>();
        var test = new List<(int[] Tokens, int Label)>();
        foreach (var group in labelled.GroupBy(d => d.Genre!))
        {
            int index = 0;
            foreach (CorpusDocument doc in group.OrderBy(d => d.Id, StringComparer.Ordinal))
            {
                var target = index++ % 5 == 4 ? test : train;
                foreach (int[] window in Windows(tokenizer.Encode(doc.Text), settings.Context, settings.WindowsPerDocument))
                    target.Add((window, Array.IndexOf(genres, group.Key)));
            }
        }

        using var scope = NewDisposeScope();
        progress?.Invoke($"reading {train.Count + test.Count} windows");
        Tensor trainX = Features(model, train, settings), testX = Features(model, test, settings);
        // Standardise with training statistics so one learning rate suits every family's state scale.
        Tensor mean = trainX.mean(new long[] { 0 }), std = trainX.std(0) + 1e-5;
        trainX = (trainX - mean) / std;
        testX = (testX - mean) / std;
        Tensor trainY = tensor(train.Select(w => (long)w.Label).ToArray()), testY = tensor(test.Select(w => (long)w.Label).ToArray());

        TorchSharp.torch.manual_seed(settings.Seed);
        using var head = new ClassificationHead((int)trainX.shape[1] / 2, genres.Length);
        // full-batch epochs in the one fine-tune loop: no warm-up, no clipping, AdamW's default β2
        TaskLoop.Run([new TaskLoop.ParameterGroup(head.parameters().ToList(), settings.LearningRate)], _ => nn.functional.cross_entropy(head.forward(trainX), trainY),
            settings.Epochs, double.PositiveInfinity, warmup: 1, settings.Seed, beta2: 0.999, reseed: false, clip: double.PositiveInfinity);
        using var noGrad = no_grad();
        long[] predicted = head.forward(testX).argmax(-1).data<long>().ToArray();
        var confusion = new int[genres.Length, genres.Length];
        int correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            confusion[test[i].Label, predicted[i]]++;
            if (predicted[i] == test[i].Label) correct++;
        }
        int majority = train.GroupBy(w => w.Label).OrderByDescending(g => g.Count()).First().Key;
        double baseline = test.Count(w => w.Label == majority) / (double)test.Count;
        return new Result(genres, correct / (double)test.Count, baseline, confusion, train.Count, test.Count);
    }

    private static Tensor Features(IsrmModel model, List<(int[] Tokens, int Label)> windows, Settings settings)
    {
        Tensor tokens = tensor(windows.SelectMany(w => w.Tokens.Select(t => (long)t)).ToArray(), new long[] { windows.Count, settings.Context }, device: model.Device);
        return StateReader.Batched(tokens, 32, b => ClassificationHead.Features(StateReader.States(model, b, settings.K))).cpu();
    }

    // Evenly spaced windows across the document (fewer when it is short).
    private static IEnumerable<int[]> Windows(int[] tokens, int context, int count)
    {
        if (tokens.Length < context) yield break;
        int span = tokens.Length - context;
        for (int w = 0; w < count; w++) yield return tokens[(int)((long)span * w / Math.Max(1, count - 1))..][..context];
    }
}
