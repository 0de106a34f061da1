using System.Diagnostics;

namespace Isrm.Research.Probes;

/// <summary>
/// Genre classification trained end to end (issue 14.4): a <see cref="ClassificationHead"/> on the model's states,
/// trained together with the model (not a frozen probe) on windows of Brown documents. The split is by document (the
/// checkpoint's own training / validation split); labels are the 15 genres or the 4 coarse groups of the Brown manual
/// (<see cref="CoarseGroups"/>). Accuracy is over windows of the held-out documents.
/// </summary>
public static class GenreFineTune
{
    /// <summary>Window length, windows per document, optimizer steps (or minutes), batch, learning rates of model and head.</summary>
    public sealed record Settings(int Context = 128, int WindowsPerDocument = 8, int Steps = 300, double Minutes = 15, int Batch = 16,
        double LearningRate = 1e-3, double HeadLearningRate = 1e-2, int Seed = 1, int K = 1, bool Coarse = false);

    /// <summary>A window of tokens, its class and the document it was cut from (windows of one document share its genre and style).</summary>
    public sealed record Sample(int[] Tokens, int Label, int Document = -1);

    /// <summary>Held-out accuracy of the fine-tuned model, its confusion matrix [true, predicted] and whether each held-out window was right.</summary>
    public sealed record Result(double Accuracy, int[,] Confusion, int Steps, double Seconds, double FinalLoss, bool[] Correct);

    /// <summary>
    /// Brown's four groups (its manual's sections): press (A–C), general prose (D–G), learned and government (H, J),
    /// fiction (K–R).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> CoarseGroups = new Dictionary<string, string>
    {
        ["news"] = "press", ["editorial"] = "press", ["reviews"] = "press",
        ["religion"] = "general", ["hobbies"] = "general", ["lore"] = "general", ["belles_lettres"] = "general",
        ["government"] = "learned", ["learned"] = "learned",
        ["fiction"] = "fiction", ["mystery"] = "fiction", ["science_fiction"] = "fiction", ["adventure"] = "fiction",
        ["romance"] = "fiction", ["humor"] = "fiction",
    };

    /// <summary>
    /// Classes (sorted) and windows of the training and held-out documents (disjoint: pass the checkpoint's own split,
    /// so the held-out documents are ones the language model never trained on either).
    /// </summary>
    public static (string[] Classes, List<Sample> Train, List<Sample> Test) Split(ITextTokenizer tokenizer, IReadOnlyList<CorpusDocument> fit,
        IReadOnlyList<CorpusDocument> score, Settings settings)
    {
        if (fit.Concat(score).All(d => d.Genre is null)) throw new ArgumentException("the corpus has no genre labels (labels.tsv); 'isrm data brown' writes them.");
        if (fit.Select(d => d.Id).Intersect(score.Select(d => d.Id)).Any()) throw new ArgumentException("training and held-out documents overlap.");
        string Class(CorpusDocument d) => settings.Coarse
            ? CoarseGroups.TryGetValue(d.Genre!, out string? g) ? g : throw new ArgumentException($"genre '{d.Genre}' is not one of Brown's 15; the coarse groups need Brown's labels.")
            : d.Genre!;
        string[] classes = fit.Concat(score).Where(d => d.Genre is not null).Select(Class).Distinct().Order(StringComparer.Ordinal).ToArray();
        List<Sample> Windows(IEnumerable<CorpusDocument> documents) => documents.Where(d => d.Genre is not null).SelectMany((doc, index) =>
        {
            int[] tokens = tokenizer.Encode(doc.Text);
            int span = tokens.Length - settings.Context, count = settings.WindowsPerDocument, label = Array.IndexOf(classes, Class(doc));
            return span < 0 ? [] : Enumerable.Range(0, count).Select(w => new Sample(tokens[(int)((long)span * w / Math.Max(1, count - 1))..][..settings.Context], label, index));
        }).ToList();
        return (classes, Windows(fit), Windows(score));
    }

    /// <summary>Trains <paramref name="model"/> and a new head on <paramref name="train"/>, then scores <paramref name="test"/>.</summary>
    public static Result Run(IsrmModel model, int classes, IReadOnlyList<Sample> train, IReadOnlyList<Sample> test, Settings settings, Action<int, double>? progress = null)
    {
        torch.manual_seed(settings.Seed);
        using var head = new ClassificationHead(model.Config.Width, classes);
        head.to(model.Device);
        model.train();
        // The one fine-tune loop: the body at its rate, the fresh head at its own, clipped together; AdamW's default β2
        // and no re-seeding, as this fine-tune has always run.
        TaskLoop.Outcome outcome = TaskLoop.Run(
            [new TaskLoop.ParameterGroup(model.parameters().ToList(), settings.LearningRate), new TaskLoop.ParameterGroup(head.parameters().ToList(), settings.HeadLearningRate)],
            random =>
            {
                var batch = Enumerable.Range(0, settings.Batch).Select(_ => train[random.Next(train.Count)]).ToList();
                Tensor logits = head.forward(ClassificationHead.Features(States(model, Tokens(batch, model.Device), settings.K)));   // (B, C)
                return nn.functional.cross_entropy(logits, tensor(batch.Select(s => (long)s.Label).ToArray(), device: model.Device));
            },
            settings.Steps, settings.Minutes, warmup: 1, settings.Seed, progress, beta2: 0.999, reseed: false);
        model.eval();
        head.eval();
        var confusion = new int[classes, classes];
        var right = new bool[test.Count];
        int correct = 0;
        using (no_grad())
            for (int start = 0; start < test.Count; start += 32)
            {
                using var scope = NewDisposeScope();
                var block = test.Skip(start).Take(32).ToList();
                long[] predicted = head.forward(ClassificationHead.Features(States(model, Tokens(block, model.Device), settings.K))).argmax(-1).cpu().data<long>().ToArray();
                for (int i = 0; i < block.Count; i++)
                {
                    confusion[block[i].Label, predicted[i]]++;
                    right[start + i] = predicted[i] == block[i].Label;
                    if (right[start + i]) correct++;
                }
            }
        return new Result(correct / (double)test.Count, confusion, outcome.Steps, outcome.Seconds, outcome.FinalLoss, right);
    }

    /// <summary>
    /// Accuracy over documents, not windows: each held-out document's share of windows right, their mean and its 95 %
    /// t-interval over the documents (the windows of one document are not independent draws).
    /// </summary>
    public static PairedInterval.Summary ByDocument(IReadOnlyList<Sample> test, IReadOnlyList<bool> correct) =>
        PairedInterval.Of(PerDocument(test, correct));

    /// <summary>Each held-out document's share of windows right, in document order.</summary>
    public static List<double> PerDocument(IReadOnlyList<Sample> test, IReadOnlyList<bool> correct) =>
        test.Select((s, i) => (s.Document, Right: correct[i] ? 1.0 : 0.0)).GroupBy(p => p.Document).OrderBy(g => g.Key).Select(g => g.Average(p => p.Right)).ToList();

    /// <summary>Share of <paramref name="test"/> in the most frequent class of <paramref name="train"/>.</summary>
    public static double Majority(IReadOnlyList<Sample> train, IReadOnlyList<Sample> test)
    {
        int majority = train.GroupBy(s => s.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        return test.Count(s => s.Label == majority) / (double)test.Count;
    }

    private static Tensor Tokens(IReadOnlyList<Sample> samples, Device device) =>
        tensor(samples.SelectMany(s => s.Tokens.Select(t => (long)t)).ToArray(), new long[] { samples.Count, samples[0].Tokens.Length }, device: device);

    // The last step's states (B, T, D), with gradients when enabled.
    private static Tensor States(IsrmModel model, Tensor tokens, int loops)
    {
        var options = new RefinementOptions
        {
            K = loops, EveryStepLogits = false, StepNorms = false, StepHalt = false,
        };
        Tensor? y = null;
        foreach (RefinementStep step in Refiner.Run(model, model.Embed(tokens), options))
            if (step.IsLast) y = step.Y.alias();
        return y!;
    }
}
