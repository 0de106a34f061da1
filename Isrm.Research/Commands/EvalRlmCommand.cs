using Spectre.Console;

namespace Isrm.Research.Commands;

/// <summary><c>isrm eval-rlm classify | recall | compress | critic</c>: the RLM proposal's tasks for any checkpoint family.</summary>
internal static class EvalRlmCommand
{
    public static Command Create()
    {
        var command = new Command("eval-rlm", "The RLM proposal's tasks: genre classification, associative recall, compression, internal critic");
        command.Subcommands.Add(Task("classify", "Genre classification on Brown's 15 genres (linear head on final + mean state of frozen windows)", Classify));
        command.Subcommands.Add(Task("recall", "Associative recall: loss gain on a repeated random key across growing gaps; finds where memory fades", Recall));
        command.Subcommands.Add(Task("compress", "Reconstruct L tokens from the model's states at M positions (a trained decoder); token accuracy", Compress));
        command.Subcommands.Add(Task("critic", "Train a critic head (real vs sampled), rerank sampled continuations; repetition and loss with and without it", CriticTask));
        return command;
    }

    private sealed record Common(LoadedCheckpoint Checkpoint, string Directory, Corpus Corpus, EvaluationDocuments Documents, Func<string, int> Int, string Gaps);

    private static Command Task(string name, string description, Func<Common, object> run)
    {
        var checkpoints = EvalCommand.Checkpoints("Checkpoint folder (repeat for several)");
        var corpus = CliOptions.Path("--corpus", "Folder of .txt files (Brown, with labels.tsv, for classify); any folder for the others", PathKind.InputFolder, required: true);
        var split = CliOptions.Text("--split", "auto | validation | all: which documents of --corpus to evaluate", "auto");
        var json = CliOptions.Json("the results");
        var force = CliOptions.Force("the --json file");
        var threads = CliOptions.Threads(1);
        var ints = new Dictionary<string, Option<int>>
        {
            ["--length"] = CliOptions.Int("--length", "compress: tokens per window", 2, 65_536, 1024),
            ["--vectors"] = CliOptions.Int("--vectors", "compress: vectors kept per window", 1, 65_536, 16),
            ["--steps"] = CliOptions.Int("--steps", "compress / critic: training steps of the decoder or critic", 1, 10_000_000, 400),
            ["--windows"] = CliOptions.Int("--windows", "classify: windows per document; compress / critic: training windows", 1, 100_000, 4),
            ["--samples"] = CliOptions.Int("--samples", "recall: sequences per gap", 1, 100_000, 24),
            ["--k"] = CliOptions.Int("--k", "Refinement steps for an isrm checkpoint (others run once)", 1, 4096, 8, false, "--loops"),
        };
        var gaps = CliOptions.Text("--gaps", "recall: gaps in tokens", "8,16,32,64,128,192,384,768,1536");
        var command = CliCommands.Create(name, description, new Option[] { checkpoints, corpus, split, json, force, threads, gaps }.Concat(ints.Values));
        command.SetAction(parse =>
        {
            try
            {
                bool jsonWanted = CliOptions.JsonWanted(parse, json, parse.GetValue(force), out string? jsonFile);
                TorchSharp.torch.set_num_threads(parse.GetValue(threads));
                Corpus data = Corpus.Load(parse.GetValue(corpus)!);
                var results = new List<object>();
                foreach (string dir in parse.GetValue(checkpoints)!)
                {
                    using LoadedCheckpoint checkpoint = Checkpoint.Load(dir, ComputeDevice.Parse("cpu"));
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(checkpoint.Info.Name)}[/] ({checkpoint.Info.Family}, {checkpoint.Model.ParameterCount:N0} parameters)");
                    EvaluationDocuments documents = EvaluationDocuments.Select(data, dir, parse.GetValue(split)!);
                    AnsiConsole.WriteLine(documents.Description);
                    object result = run(new Common(checkpoint, dir, data, documents, key => parse.GetValue(ints[key]), parse.GetValue(gaps)!));
                    results.Add(new { checkpoint = checkpoint.Info.Name, family = checkpoint.Info.Family, parameters = checkpoint.Model.ParameterCount, result });
                }
                if (jsonWanted) JsonOutput.Write(jsonFile, new { task = name, command = "isrm " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), results }, force: true);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or CorpusException or CheckpointException or TokenizerException or IOException)
            {
                Console.Error.WriteLine(e.Message.ReplaceLineEndings(" "));
                return 1;
            }
        });
        return command;
    }

    private static object Classify(Common c)
    {
        var settings = new GenreProbe.Settings(Context: 128, WindowsPerDocument: c.Int("--windows"), K: c.Int("--k"));
        GenreProbe.Result r = GenreProbe.Run(c.Checkpoint.Model, c.Checkpoint.Tokenizer, c.Corpus.Documents, settings);
        AnsiConsole.MarkupLine($"accuracy {r.Accuracy:P1} on {r.TestWindows} held-out windows (majority class {r.MajorityBaseline:P1}); trained on {r.TrainWindows}");
        var table = new Table().Border(TableBorder.Simple).AddColumn("true");
        foreach (string g in r.Genres) table.AddColumn(g[..Math.Min(3, g.Length)]);
        for (int i = 0; i < r.Genres.Count; i++)
            table.AddRow(new[] { r.Genres[i][..Math.Min(4, r.Genres[i].Length)] }.Concat(Enumerable.Range(0, r.Genres.Count).Select(j => r.Confusion[i, j].ToString())).ToArray());
        AnsiConsole.Write(table);
        int n = r.Genres.Count;
        return new { r.Accuracy, r.MajorityBaseline, r.Genres, confusion = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Select(j => r.Confusion[i, j]).ToArray()).ToArray(), r.TrainWindows, r.TestWindows };
    }

    private static object Recall(Common c)
    {
        int[] gaps = c.Gaps.Split(',').Select(g => int.TryParse(g, out int v) && v > 0 ? v : throw new ArgumentException($"--gaps takes positive integers; '{g}' is not one.")).ToArray();
        string filler = string.Join("\n\n", Validation(c).Select(d => d.Text));
        RecallProbe.Result r = RecallProbe.Run(c.Checkpoint.Model, c.Checkpoint.Tokenizer, filler, gaps, new RecallProbe.Settings(Samples: c.Int("--samples"), K: c.Int("--k")));
        var table = new Table().AddColumn("gap").AddColumn("loss, key seen").AddColumn("loss, decoy seen").AddColumn("recall gain");
        foreach (RecallProbe.Point p in r.Points) table.AddRow(p.Gap.ToString(), $"{p.LossWithKey:F3}", $"{p.LossWithoutKey:F3}", $"{p.Gain:F3}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(r.RecallLimit is int limit ? $"recall limit (gain ≥ half of the first): gap {limit}" : $"no recall: the gain at the smallest gap is below {RecallProbe.MinimumGain} nats/token");
        return new { points = r.Points.Select(p => new { p.Gap, p.LossWithKey, p.LossWithoutKey, p.Gain }), r.RecallLimit, r.MaxContext };
    }

    private static object Compress(Common c)
    {
        int length = c.Int("--length");
        var (train, validation) = Split(c);
        List<int[]> Windows(IEnumerable<CorpusDocument> docs, int count) => docs.Select(d => c.Checkpoint.Tokenizer.Encode(d.Text))
            .Where(t => t.Length >= length).SelectMany(t => Enumerable.Range(0, Math.Max(1, t.Length / length)).Select(i => t[(i * length)..((i + 1) * length)]))
            .Take(count).ToList();
        int trainCount = c.Int("--windows") * 64;
        var settings = new CompressionProbe.Settings(Length: length, Vectors: c.Int("--vectors"), Steps: c.Int("--steps"), K: c.Int("--k"));
        CompressionProbe.Result r = CompressionProbe.Run(c.Checkpoint.Model, Windows(train, trainCount), Windows(validation, 64), settings, s => AnsiConsole.MarkupLine(Markup.Escape(s)));
        AnsiConsole.MarkupLine($"{length} tokens → {settings.Vectors} vectors: reconstruction token accuracy {r.TokenAccuracy:P1} on {r.TestWindows} held-out windows (most frequent token {r.MostFrequentBaseline:P1})");
        return r;
    }

    private static object CriticTask(Common c)
    {
        var (train, validation) = Split(c);
        var settings = new CriticProbe.Settings(Steps: c.Int("--steps"), K: c.Int("--k"));
        int need = settings.Prompt + settings.Continuation;
        List<int[]> Windows(IEnumerable<CorpusDocument> docs, int count, int seed)
        {
            var random = new Random(seed);
            return docs.Select(d => c.Checkpoint.Tokenizer.Encode(d.Text)).Where(t => t.Length > need)
                .Select(t => { int s = random.Next(t.Length - need); return t[s..(s + need)]; }).Take(count).ToList();
        }
        CriticProbe.Result r = CriticProbe.Run(c.Checkpoint.Model, Windows(train, c.Int("--windows") * 32, 1), Windows(validation, settings.Prompts, 2), settings,
            s => AnsiConsole.MarkupLine(Markup.Escape(s)));
        AnsiConsole.MarkupLine($"critic accuracy (real vs sampled, held out) {r.CriticAccuracy:P1}; repeated 4-grams {r.RepeatedFourGramsPlain:P1} → {r.RepeatedFourGramsCritic:P1}; " +
            $"model loss of the chosen text {r.LossPlain:F3} → {r.LossCritic:F3} nats/token; {r.ChangedChoices} choices changed");
        return r;
    }

    /// <summary>
    /// Probe-training and held-out documents: the checkpoint's training documents and the evaluated ones, or, when the
    /// folder holds none it trained on (a foreign corpus), a 90/10 split of the evaluated documents (said on the output).
    /// </summary>
    private static (IReadOnlyList<CorpusDocument> Train, IReadOnlyList<CorpusDocument> Validation) Split(Common c)
    {
        var (fit, score, splitsEvaluated) = c.Documents.ProbeDocuments();
        if (splitsEvaluated) AnsiConsole.WriteLine("The probe fits on 90 % of these documents and is scored on the other 10 % (seed 1).");
        return (fit, score);
    }

    private static IReadOnlyList<CorpusDocument> Validation(Common c) => c.Documents.Evaluated;
}
