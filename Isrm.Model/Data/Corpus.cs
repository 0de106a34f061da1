namespace Isrm.Model.Data;

/// <summary>A folder of <c>.txt</c> files, one document each; genres come from an optional <c>labels.tsv</c> (id, genre).</summary>
public sealed class Corpus
{
    /// <summary>The genre of each document (Brown's categories), written beside the texts by <c>isrm data brown</c>.</summary>
    public const string LabelsFile = "labels.tsv";

    public string Directory { get; }
    public IReadOnlyList<CorpusDocument> Documents { get; }

    private Corpus(string directory, IReadOnlyList<CorpusDocument> documents)
    {
        Directory = directory;
        Documents = documents;
    }

    public static Corpus Load(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
            throw new CorpusException($"The corpus folder {full} does not exist; run 'isrm data brown' or pass a folder of .txt files.");
        string[] files = System.IO.Directory.GetFiles(full, "*.txt").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new CorpusException($"The corpus folder {full} holds no .txt files; run 'isrm data brown' or pass a folder of .txt files.");
        IReadOnlyDictionary<string, string> labels = ReadLabels(full);
        var documents = files
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Select(id => new CorpusDocument(id, labels.GetValueOrDefault(id), File.ReadAllText(Path.Combine(full, id + ".txt"), Encoding.UTF8)))
            .ToList();
        return new Corpus(full, documents);
    }

    /// <summary>Splits by document (never by line), the same way for the same seed and fraction; each genre is split on its own so both sides keep every genre.</summary>
    public CorpusSplit Split(int seed, double validationFraction) => CorpusSplit.Create(Documents, seed, validationFraction);

    /// <summary>The training and validation documents a recorded split names.</summary>
    public (IReadOnlyList<CorpusDocument> Train, IReadOnlyList<CorpusDocument> Validation) Partition(CorpusSplit split)
    {
        var byId = Documents.ToDictionary(d => d.Id, StringComparer.Ordinal);
        IReadOnlyList<CorpusDocument> Pick(IEnumerable<string> ids) => ids.Select(id => byId.TryGetValue(id, out CorpusDocument? d)
            ? d
            : throw new CorpusException($"The split names document '{id}', which is not in {Directory}; use the corpus the split was made from.")).ToList();
        return (Pick(split.Train), Pick(split.Validation));
    }

    /// <summary>Whitespace-separated pieces holding at least one letter or digit (punctuation alone is not a word).</summary>
    public static int CountWords(string text)
    {
        int words = 0;
        bool inPiece = false, pieceHasWord = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (inPiece && pieceHasWord) words++;
                inPiece = pieceHasWord = false;
                continue;
            }
            inPiece = true;
            pieceHasWord |= char.IsLetterOrDigit(c);
        }
        return inPiece && pieceHasWord ? words + 1 : words;
    }

    private static IReadOnlyDictionary<string, string> ReadLabels(string directory)
    {
        string path = Path.Combine(directory, Corpus.LabelsFile);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return labels;
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] fields = line.Split('\t');
            if (fields.Length >= 2 && fields[0].Length > 0 && fields[1].Length > 0) labels[fields[0]] = fields[1];
        }
        return labels;
    }
}
