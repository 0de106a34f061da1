namespace Isrm.Model.Training;

/// <summary>
/// The training or validation text as one token stream (documents joined by a blank line), cut into windows of
/// Context + 1 tokens. Training windows are drawn from a generator seeded by (seed, step), so the data position
/// of any step is reproducible without saving state: resume is exact.
/// </summary>
public sealed class TokenWindows : IBatchSource
{
    private readonly int[] _tokens;
    private readonly int _context;

    public TokenWindows(IEnumerable<CorpusDocument> documents, ITextTokenizer tokenizer, int context)
    {
        _context = context;
        var tokens = new List<int>();
        int[] separator = tokenizer.Encode("\n\n");
        foreach (CorpusDocument document in documents)
        {
            tokens.AddRange(tokenizer.Encode(document.Text));
            tokens.AddRange(separator);
        }
        _tokens = tokens.ToArray();
        if (_tokens.Length <= context + 1)
            throw new ArgumentException($"the text has only {_tokens.Length} tokens, fewer than one window of {context + 1}; use a larger corpus or a smaller --context.");
    }

    public long TokenCount => _tokens.Length;

    /// <summary>Random windows for one (micro-)batch: inputs and targets, each (B, T).</summary>
    public (Tensor Inputs, Tensor Targets) Batch(int batchSize, Random random, Device device)
    {
        var data = new long[batchSize * (_context + 1)];
        for (int b = 0; b < batchSize; b++)
        {
            int start = random.Next(0, _tokens.Length - _context - 1);
            for (int t = 0; t <= _context; t++) data[b * (_context + 1) + t] = _tokens[start + t];
        }
        using Tensor all = tensor(data, new long[] { batchSize, _context + 1 }, device: device);
        return (all.narrow(1, 0, _context).clone(), all.narrow(1, 1, _context).clone());
    }

    public TrainingBatch Next(int batchSize, Random random, Device device)
    {
        var (inputs, targets) = Batch(batchSize, random, device);
        return new TrainingBatch(inputs, targets);
    }

    /// <summary>Evenly spaced fixed windows (the same every evaluation): inputs and targets, each (N, T).</summary>
    public (Tensor Inputs, Tensor Targets) Fixed(int count, Device device)
    {
        int available = _tokens.Length - _context - 1;
        count = Math.Min(count, Math.Max(1, available / _context));
        var data = new long[count * (_context + 1)];
        for (int w = 0; w < count; w++)
        {
            int start = (int)((long)available * w / count);
            for (int t = 0; t <= _context; t++) data[w * (_context + 1) + t] = _tokens[start + t];
        }
        using Tensor all = tensor(data, new long[] { count, _context + 1 }, device: device);
        return (all.narrow(1, 0, _context).clone(), all.narrow(1, 1, _context).clone());
    }

    /// <summary>UTF-8 bytes per token of this text, so losses per token convert to bits per byte.</summary>
    public double BytesPerToken(ITextTokenizer tokenizer, IEnumerable<CorpusDocument> documents)
    {
        long bytes = documents.Sum(d => (long)System.Text.Encoding.UTF8.GetByteCount(d.Text) + 2);
        return (double)bytes / _tokens.Length;
    }
}
