namespace Isrm.Research.Commands;

/// <summary>
/// <c>isrm-research classify-e2e</c> (issue 14.4): Brown genre classification with the model fine-tuned end to end, against
/// a bag-of-n-grams linear baseline and the majority class, on a document-disjoint split; 15 genres and 4 groups.
/// </summary>
internal static class ClassifyE2eCommand
{
    public static Command Create()
    {
        var checkpoints = new Option<string[]>("--checkpoint") { Description = "Checkpoint folders (each is fine-tuned from its weights)", Required = true, AllowMultipleArgumentsPerToken = true };
        var corpus = new Option<string>("--corpus") { Description = "Brown (a folder with labels.tsv)", Required = true };
        var labels = new Option<string>("--labels") { Description = "genres | groups | both", DefaultValueFactory = _ => "both" };
        var steps = CliOptions.Int("--steps", "Optimizer steps", 1, 100_000_000, 300, false);
        var minutes = CliOptions.Real("--minutes", "Wall-time cap per fine-tuning", 0.001, 100_000, 15);
        var batch = CliOptions.Int("--batch", "Batch size", 1, 1_000_000, 16, false);
        var context = CliOptions.Int("--context", "Tokens per window", 1, 1_000_000, 128, false);
        var windows = CliOptions.Int("--windows", "Windows per document", 1, 1_000_000, 8, false);
        var lr = CliOptions.Real("--lr", "Learning rate", 1e-9, 10, 1e-3);
        var loops = CliOptions.Int("--k", "Refinement steps for models that refine", 1, 1_000_000, 4, false, "--loops");
        var json = new Option<string?>("--json") { Description = "Also write the rows to this JSON file" };
        var force = CliOptions.Force("the --json file");
        var command = CliCommands.Create("classify-e2e", "Genre classification fine-tuned end to end vs a bag-of-n-grams baseline and the majority class",
            checkpoints, corpus, labels, steps, minutes, batch, context, windows, lr, loops, json, force);
        command.SetAction(parse => MeasuringCommand.Run(parse, json, force, () =>
        {
            string which = parse.GetValue(labels)!;
            bool[] coarse = which switch
            {
                "genres" => [false], "groups" => [true], "both" => [false, true],
                _ => throw new ArgumentException($"--labels must be genres, groups or both (got '{which}')."),
            };
            Corpus data = Corpus.Load(parse.GetValue(corpus)!);
            var rows = new List<object>();
            foreach (bool groups in coarse)
                foreach (string dir in parse.GetValue(checkpoints)!)
                {
                    using LoadedCheckpoint checkpoint = Checkpoint.Load(dir, ComputeDevice.Parse("cpu"));
                    var settings = new GenreFineTune.Settings(Context: parse.GetValue(context), WindowsPerDocument: parse.GetValue(windows), Steps: parse.GetValue(steps),
                        Minutes: parse.GetValue(minutes), Batch: parse.GetValue(batch), LearningRate: parse.GetValue(lr), K: parse.GetValue(loops), Coarse: groups);
                    var (fit, score, _) = EvaluationDocuments.Select(data, dir, "auto").ProbeDocuments();
                    var (classes, train, test) = GenreFineTune.Split(checkpoint.Tokenizer, fit, score, settings);
                    if (train.Count == 0 || test.Count == 0) throw new ArgumentException($"the corpus gives no windows of {settings.Context} tokens to train or test on.");
                    double majority = GenreFineTune.Majority(train, test);
                    bool[] ngramRight = NgramBaseline.Correct(train, test, classes.Length);
                    double ngrams = ngramRight.Count(x => x) / (double)test.Count;
                    GenreFineTune.Result r = GenreFineTune.Run(checkpoint.Model, classes.Length, train, test, settings,
                        (step, loss) => { if (step % 50 == 0) Console.WriteLine($"step {step} loss {loss:F3}"); });
                    var (low, high) = PairedInterval.Wilson((int)Math.Round(r.Accuracy * test.Count), test.Count);
                    // Over documents: the held-out windows come 8 to a document, so windows are not independent draws.
                    PairedInterval.Summary byDocument = GenreFineTune.ByDocument(test, r.Correct);
                    PairedInterval.Summary vsNgrams = PairedInterval.Of(GenreFineTune.PerDocument(test, r.Correct)
                        .Zip(GenreFineTune.PerDocument(test, ngramRight), (m, b) => m - b).ToList());
                    string label = groups ? $"{classes.Length} groups" : $"{classes.Length} genres";
                    Console.WriteLine($"{checkpoint.Info.Name} ({checkpoint.Info.Family}), {label}: fine-tuned {r.Accuracy:P1} (95 % over {byDocument.Count} documents " +
                        $"{byDocument.TLow:P1} … {byDocument.THigh:P1}), n-gram baseline {ngrams:P1} (fine-tuned − baseline {vsNgrams.Mean:P1}, 95 % over documents " +
                        $"{vsNgrams.TLow:P1} … {vsNgrams.THigh:P1}), majority {majority:P1}; {train.Count} training / {test.Count} held-out windows; {r.Steps} steps in {r.Seconds:F0} s");
                    int n = classes.Length;
                    rows.Add(new
                    {
                        checkpoint = checkpoint.Info.Name, family = checkpoint.Info.Family, labels = groups ? "groups" : "genres", classes,
                        accuracy = r.Accuracy, accuracyLow = low, accuracyHigh = high, ngramAccuracy = ngrams, majority,
                        documents = byDocument.Count, accuracyByDocument = byDocument.Mean, accuracyByDocumentLow = byDocument.TLow, accuracyByDocumentHigh = byDocument.THigh,
                        minusNgrams = vsNgrams.Mean, minusNgramsLow = vsNgrams.TLow, minusNgramsHigh = vsNgrams.THigh,
                        minusNgramsBootstrapLow = vsNgrams.BootstrapLow, minusNgramsBootstrapHigh = vsNgrams.BootstrapHigh,
                        trainWindows = train.Count, testWindows = test.Count, r.Steps, r.Seconds, r.FinalLoss,
                        confusion = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Select(j => r.Confusion[i, j]).ToArray()).ToArray(),
                    });
                }
            if (parse.GetValue(json) is string path)
                JsonOutput.Write(path, new { command = "isrm-research " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), rows }, force: true);
            return 0;
        }));
        return command;
    }
}
