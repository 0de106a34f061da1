namespace Isrm.Model.Evaluation;

/// <summary>Which documents of a corpus folder an evaluation reads, which it must not, and the sentence that says so.</summary>
/// <param name="Train">Documents the checkpoint trained on that are in the folder (never evaluated; probes may fit on them).</param>
/// <param name="Evaluated">Documents evaluated.</param>
public sealed record EvaluationDocuments(IReadOnlyList<CorpusDocument> Train, IReadOnlyList<CorpusDocument> Evaluated, string Description)
{
    /// <summary>
    /// <paramref name="split"/>: <c>validation</c> = the validation documents the checkpoint's split.json records (the
    /// folder must be the training corpus); <c>all</c> = every document of the folder; <c>auto</c> = validation when the
    /// folder is the training corpus, otherwise every document the checkpoint did not train on (all of a foreign corpus).
    /// </summary>
    public static EvaluationDocuments Select(Corpus corpus, string checkpointDirectory, string split)
    {
        if (split is not ("auto" or "validation" or "all"))
            throw new ArgumentException($"--split must be auto, validation or all (got '{split}').");
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpointDirectory));
        string splitPath = Path.Combine(checkpointDirectory, Trainer.SplitFile);
        CorpusSplit? recorded = File.Exists(splitPath) ? CorpusSplit.Load(splitPath) : null;
        int n = corpus.Documents.Count;
        if (split == "all")
            return new([], corpus.Documents, $"Evaluating {Documents(n, "all ")} of {corpus.Directory} (--split all).");

        if (recorded is null)
        {
            var (train, validation) = corpus.Partition(corpus.Split(1, 0.1));
            return new(train, validation, $"Evaluating {validation.Count} of {Documents(n)} of {corpus.Directory}: {name} records no split, so the folder's own 10 % split (seed 1) is used.");
        }
        var here = corpus.Documents.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        bool isTrainingCorpus = recorded.Train.Concat(recorded.Validation).All(here.Contains);
        if (split == "validation" || isTrainingCorpus)
        {
            string? missing = recorded.Validation.Concat(recorded.Train).FirstOrDefault(id => !here.Contains(id));
            if (missing is not null)
                throw new CorpusException($"{name}'s split.json names document '{missing}', which is not in {corpus.Directory}; use the corpus it was trained on, or --split all (or auto) for another folder.");
            var (train, validation) = corpus.Partition(recorded);
            return new(train, validation, $"Evaluating {(validation.Count == 1 ? "the 1 validation document" : $"the {validation.Count} validation documents")} of {corpus.Directory} that {name}'s split.json records.");
        }
        var trained = recorded.Train.ToHashSet(StringComparer.Ordinal);
        CorpusDocument[] seen = corpus.Documents.Where(d => trained.Contains(d.Id)).ToArray();
        CorpusDocument[] unseen = corpus.Documents.Where(d => !trained.Contains(d.Id)).ToArray();
        if (unseen.Length == 0)
            throw new CorpusException($"Every document of {corpus.Directory} is one {name} trained on; pass --split all to evaluate them anyway.");
        string description = seen.Length == 0
            ? $"{corpus.Directory} is not the corpus {name} was trained on: evaluating {(n == 1 ? "its 1 document" : $"every one of its {n} documents")}."
            : $"Evaluating the {Documents(unseen.Length)} of {corpus.Directory} that {name} did not train on ({seen.Length} it trained on {(seen.Length == 1 ? "is" : "are")} left out).";
        return new(seen, unseen, description);
    }

    /// <summary>
    /// Documents a probe (a head trained on the frozen model) fits on and is scored on: the training and evaluated
    /// documents, or, when the folder holds none the checkpoint trained on, a 90/10 split (seed 1) of the evaluated ones.
    /// </summary>
    public (IReadOnlyList<CorpusDocument> Fit, IReadOnlyList<CorpusDocument> Score, bool SplitsEvaluated) ProbeDocuments()
    {
        if (Train.Count > 0) return (Train, Evaluated, false);
        CorpusSplit split = CorpusSplit.Create(Evaluated, 1, 0.1);
        var fit = split.Train.ToHashSet(StringComparer.Ordinal);
        return (Evaluated.Where(d => fit.Contains(d.Id)).ToList(), Evaluated.Where(d => !fit.Contains(d.Id)).ToList(), true);
    }

    /// <summary>"1 document", "all 12 documents".</summary>
    private static string Documents(int n, string all = "") => n == 1 ? "1 document" : $"{all}{n} documents";
}
