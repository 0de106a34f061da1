namespace Isrm.Research.Training;

/// <summary>
/// Compression trained end to end (issue 14.5): an encoder of any family reads L bytes followed by M memory tokens,
/// and its outputs at those M positions are the only thing the decoder sees. For a recurrent family everything
/// about the bytes must pass through its fixed-size state; a transformer attends to all L bytes from its M memory
/// tokens. The decoder (<see cref="CompressionProbe.Decoder"/>: one learned query per byte position reads the M
/// vectors by attention, then an MLP) reconstructs all L bytes. Encoder and decoder train together from scratch:
/// cross-entropy on every byte, in the shared <see cref="TaskLoop"/>.
/// </summary>
public sealed record CompressionTraining(int Length, int Vectors = 16, int Steps = 100_000, double Minutes = 5, int Batch = 16,
    double LearningRate = 3e-3, int Warmup = 50, int K = 4, int Seed = 1)
{
    /// <summary>Bytes are tokens 0…255; memory token i is 256 + i.</summary>
    public const int Bytes = 256;

    /// <summary>The vocabulary an encoder needs: the bytes and <paramref name="vectors"/> memory tokens.</summary>
    public static int VocabSize(int vectors) => Bytes + vectors;

    /// <summary>Positions an attention encoder must hold: the bytes and the memory tokens.</summary>
    public int Context => Length + Vectors;

    /// <summary>
    /// Held-out result: byte accuracy over all positions, per quarter of the window (first … last bytes read), and the
    /// accuracy of always answering the training windows' most frequent byte.
    /// </summary>
    public sealed record Score(double Accuracy, double[] Quarters, double MostFrequentByte, int Windows);

    /// <summary>A fresh decoder sized for this run (the encoder's width, <see cref="Length"/> queries, 256 bytes).</summary>
    public CompressionProbe.Decoder NewDecoder(IsrmModel encoder) => new(encoder.Config.Width, Length, Bytes);

    /// <summary>bytes (B, L) → the M memory vectors (B, M, D), with gradients when enabled.</summary>
    public Tensor Encode(IsrmModel encoder, Tensor bytes)
    {
        using var scope = NewDisposeScope();
        if (bytes.shape[1] != Length) throw new ArgumentException($"windows must hold {Length} bytes (got {bytes.shape[1]}).");
        if (encoder.Config.VocabSize < VocabSize(Vectors))
            throw new ArgumentException($"the encoder's vocabulary ({encoder.Config.VocabSize}) has no room for {Vectors} memory tokens after the 256 bytes.");
        if (Context > encoder.Config.ReadableContext)
            throw new ArgumentException($"a {encoder.Config.Family.Kebab()} encoder reads at most {encoder.Config.MaxContext} tokens; {Length} bytes and {Vectors} memory tokens need {Context}.");
        Tensor memoryTokens = arange(Bytes, Bytes + Vectors, dtype: int64, device: bytes.device).expand(bytes.shape[0], Vectors);
        Tensor input = cat(new[] { bytes, memoryTokens }, 1);
        var options = new RefinementOptions
        {
            K = K,
            EveryStepLogits = false, StepNorms = false, StepHalt = false,
        };
        Tensor? last = null;
        foreach (RefinementStep step in Refiner.Run(encoder, encoder.Embed(input), options))
            if (step.IsLast) last = step.Y.narrow(1, Length, Vectors).alias();
        // RMS-normalised without weights: families differ in the scale of their outputs, the decoder should not care.
        return (last! / (last!.pow(2).mean(new long[] { -1 }, keepdim: true) + 1e-6).sqrt()).MoveToOuterDisposeScope();
    }

    /// <summary>Trains encoder and decoder together on windows drawn by <paramref name="draw"/> (random, batch → (B, L) bytes).</summary>
    public TaskLoop.Outcome Run(IsrmModel encoder, CompressionProbe.Decoder decoder, Func<Random, int, long[]> draw, Action<int, double>? progress = null)
    {
        encoder.train();
        decoder.train();
        var outcome = TaskLoop.Run(encoder.parameters().Concat(decoder.parameters()).ToList(), random =>
        {
            Tensor bytes = tensor(draw(random, Batch), new long[] { Batch, Length }, device: encoder.Device);
            Tensor logits = decoder.forward(Encode(encoder, bytes));                               // (B, L, 256)
            return nn.functional.cross_entropy(logits.reshape(-1, Bytes), bytes.reshape(-1));
        }, Steps, Minutes, LearningRate, Warmup, Seed, progress);
        encoder.eval();
        decoder.eval();
        return outcome;
    }

    /// <summary>Byte accuracy of the reconstruction on held-out windows (each <see cref="Length"/> bytes).</summary>
    public Score Evaluate(IsrmModel encoder, CompressionProbe.Decoder decoder, IReadOnlyList<int[]> windows, int mostFrequentByte, int batch = 16)
    {
        if (windows.Count == 0) throw new ArgumentException("no held-out windows to score.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor all = tensor(windows.SelectMany(w => w.Take(Length).Select(b => (long)b)).ToArray(), new long[] { windows.Count, Length });
        Tensor right = StateReader.Batched(all, batch, b =>
        {
            Tensor onDevice = b.to(encoder.Device);
            return decoder.forward(Encode(encoder, onDevice)).argmax(-1).eq(onDevice).to_type(ScalarType.Float32).cpu();
        });                                                                                        // (N, L) 1 where right
        double accuracy = right.mean().item<float>();
        int quarter = Math.Max(1, Length / 4);
        double[] quarters = Enumerable.Range(0, 4).Select(q => right.narrow(1, q * quarter, q == 3 ? Length - 3 * quarter : quarter).mean().item<float>())
            .Select(v => (double)v).ToArray();
        double baseline = all.eq(mostFrequentByte).to_type(ScalarType.Float32).mean().item<float>();
        return new Score(accuracy, quarters, baseline, windows.Count);
    }
}
