using System.Diagnostics;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm data tokenizer</c>: train a byte-level BPE on a corpus folder and report its size, speed and compression.</summary>
internal static class TokenizerDataCommand
{
    /// <summary>What training produced, as printed (and as the <c>--json</c> object).</summary>
    private sealed record Report(string Directory, int Documents, long CorpusBytes, int VocabSize, int Merges,
        double TrainSeconds, double EncodeSeconds, long Tokens, double BytesPerToken, bool Lossless);

    public static Command Create()
    {
        var corpusOption = CliOptions.Path("--corpus", "Folder of .txt documents", PathKind.InputFolder, defaultValue: Path.Combine("data-cache", "brown"));
        var vocabOption = CliOptions.Int("--vocab", "Vocabulary size (256 bytes + merges)", 256, 1_000_000, 2048);
        var outOption = CliOptions.OptionalPath("--out", "Output folder (default data-cache/bpe-<vocab>; an existing one only with --force)", PathKind.OutputFolder);
        var jsonOption = CliOptions.Json("the tokenizer's size, speed and compression");
        var force = CliOptions.Force("--out");
        var command = CliCommands.Create("tokenizer", "Train a byte-level BPE tokenizer (vocab.json + merges.txt) on a corpus folder",
            corpusOption, vocabOption, outOption, jsonOption, force);
        command.SetAction(parse =>
        {
            int vocab = parse.GetValue(vocabOption);
            string output = parse.GetValue(outOption) ?? Path.Combine("data-cache", $"bpe-{vocab}");
            bool json = CliOptions.JsonWanted(parse, jsonOption, out string? jsonFile);
            try
            {
                if (CliOptions.PathProblem("--out", output, PathKind.OutputFolder) is string problem) throw new ArgumentException(problem);
                Corpus corpus = Corpus.Load(parse.GetValue(corpusOption)!);
                OutputGuard.Folder(output, parse.GetValue(force), "--out");
                Report report = Run(corpus, vocab, Path.GetFullPath(output), json);
                if (json) JsonOutput.Write(jsonFile, report, parse.GetValue(force));
                else Print(report);
                return 0;
            }
            catch (Exception e) when (e is CorpusException or TokenizerException or ArgumentException) { return UserError.Report(e.Message); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A folder the user named cannot be written (permissions, full disk): say so, no stack trace.
                return UserError.Report($"{e.Message.TrimEnd('.')}; check the --out folder and try again.");
            }
        });
        return command;
    }

    private static Report Run(Corpus corpus, int vocab, string output, bool json)
    {
        string[] texts = corpus.Documents.Select(d => d.Text).ToArray();
        var clock = Stopwatch.StartNew();
        BpeVocabulary vocabulary = json
            ? BpeTrainer.Train(texts, vocab)
            : AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                ProgressTask task = context.AddTask("Merges", maxValue: vocab - 256);
                return BpeTrainer.Train(texts, vocab, new SynchronousProgress<int>(size => task.Value = size - 256));
            });
        double trainSeconds = clock.Elapsed.TotalSeconds;
        BpeTextTokenizer tokenizer = BpeTextTokenizer.Create(vocabulary, output);

        clock.Restart();
        long tokens = 0;
        bool lossless = true;
        foreach (string text in texts)
        {
            int[] ids = tokenizer.Encode(text);
            tokens += ids.Length;
            lossless &= tokenizer.Decode(ids) == text;
        }
        double encodeSeconds = clock.Elapsed.TotalSeconds;
        long bytes = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        return new Report(output, texts.Length, bytes, tokenizer.VocabSize, vocabulary.Merges.Count,
            Math.Round(trainSeconds, 2), Math.Round(encodeSeconds, 2), tokens, Math.Round((double)bytes / Math.Max(tokens, 1), 3), lossless);
    }

    private static void Print(Report r)
    {
        AnsiConsole.MarkupLine($"[green]Trained[/] a byte-level BPE with {r.VocabSize} tokens ({r.Merges} merges) into {Markup.Escape(r.Directory)}.");
        AnsiConsole.WriteLine($"Corpus: {r.Documents} documents, {r.CorpusBytes:N0} bytes. Training took {r.TrainSeconds:F2} s.");
        AnsiConsole.WriteLine($"Encoding the corpus: {r.Tokens:N0} tokens ({r.BytesPerToken:F2} bytes/token) in {r.EncodeSeconds:F2} s; decode gives the text back: {(r.Lossless ? "yes" : "NO")}.");
    }
}
