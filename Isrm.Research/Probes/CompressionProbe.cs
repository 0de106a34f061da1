namespace Isrm.Research.Probes;

/// <summary>
/// Compression: a window of L tokens is read by the frozen model and kept as M vectors only (its states at M evenly
/// spaced positions, the last one included — each summarises everything before it); a small decoder trained on
/// training windows must reconstruct all L tokens from those M vectors. Reported: token accuracy on held-out windows.
/// </summary>
public static class CompressionProbe
{
    /// <summary>L tokens into M vectors; decoder training steps.</summary>
    public sealed record Settings(int Length = 1024, int Vectors = 16, int Steps = 400, int Batch = 16, double LearningRate = 3e-3, int Seed = 1, int K = 8);

    /// <summary>Reconstruction accuracy on held-out windows, and the accuracy of always predicting the most frequent token.</summary>
    public sealed record Result(double TokenAccuracy, double MostFrequentBaseline, int TrainWindows, int TestWindows);

    /// <summary>The decoder: each output position queries the M vectors by attention, then an MLP predicts the token.</summary>
    public sealed class Decoder : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter queries;
        private readonly Linear keys, values, hidden, output;

        public Decoder(int width, int length, int vocab) : base(nameof(Decoder))
        {
            queries = new Parameter(randn(length, width) * 0.02f);
            keys = nn.Linear(width, width, hasBias: false);
            values = nn.Linear(width, width, hasBias: false);
            hidden = nn.Linear(2 * width, 2 * width);
            output = nn.Linear(2 * width, vocab);
            RegisterComponents();
        }

        /// <summary>memory (B, M, D) → logits (B, L, V).</summary>
        public override Tensor forward(Tensor memory)
        {
            using var scope = NewDisposeScope();
            long d = memory.shape[2];
            Tensor weights = queries.matmul(keys.forward(memory).transpose(1, 2)).div(Math.Sqrt(d)).softmax(-1); // (B, L, M)
            Tensor read = weights.matmul(values.forward(memory));                                                   // (B, L, D)
            Tensor h = nn.functional.gelu(hidden.forward(cat(new[] { read, queries.expand(read.shape[0], -1, -1) }, -1)));
            return output.forward(h).MoveToOuterDisposeScope();
        }
    }

    public static Result Run(IsrmModel model, IReadOnlyList<int[]> trainWindows, IReadOnlyList<int[]> testWindows, Settings settings, Action<string>? progress = null)
    {
        if (settings.Length > model.Config.ReadableContext)
            throw new ArgumentException($"a {model.Config.Family.Kebab()} model reads at most {model.Config.MaxContext} tokens; use --length {model.Config.MaxContext} or less.");
        using var scope = NewDisposeScope();
        progress?.Invoke($"encoding {trainWindows.Count + testWindows.Count} windows of {settings.Length} tokens");
        var (trainMemory, trainTokens) = Encode(model, trainWindows, settings);
        var (testMemory, testTokens) = Encode(model, testWindows, settings);
        // Standardise the memory with training statistics (states of different families differ in scale).
        Tensor mean = trainMemory.mean(new long[] { 0, 1 }), std = trainMemory.std(new long[] { 0, 1 }) + 1e-5;
        trainMemory = (trainMemory - mean) / std;
        testMemory = (testMemory - mean) / std;

        torch.manual_seed(settings.Seed);
        using var decoder = new Decoder((int)trainMemory.shape[2], settings.Length, model.Config.VocabSize);
        // the decoder trains in the one fine-tune loop (no warm-up, no clipping, AdamW's default β2) on batches drawn
        // from the seeded random it hands the loss
        TaskLoop.Run([new TaskLoop.ParameterGroup(decoder.parameters().ToList(), settings.LearningRate)], random =>
            {
                Tensor pick = tensor(Enumerable.Range(0, settings.Batch).Select(_ => (long)random.Next((int)trainMemory.shape[0])).ToArray());
                Tensor logits = decoder.forward(trainMemory.index_select(0, pick));
                return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), trainTokens.index_select(0, pick).reshape(-1));
            },
            settings.Steps, double.PositiveInfinity, warmup: 1, settings.Seed,
            (step, _) => { if (step % 100 == 0) progress?.Invoke($"decoder step {step}/{settings.Steps}"); }, beta2: 0.999, reseed: false, clip: double.PositiveInfinity);
        using var noGrad = no_grad();
        Tensor predicted = StateReader.Batched(testMemory, 16, m => decoder.forward(m).argmax(-1));
        double accuracy = predicted.eq(testTokens).to_type(ScalarType.Float32).mean().item<float>();
        long mostFrequent = trainTokens.reshape(-1).bincount(null, 0).argmax().item<long>();
        double baseline = testTokens.eq(mostFrequent).to_type(ScalarType.Float32).mean().item<float>();
        return new Result(accuracy, baseline, trainWindows.Count, testWindows.Count);
    }

    // The model's states at M evenly spaced positions ending at the last token: (N, M, D), and the tokens (N, L).
    private static (Tensor Memory, Tensor Tokens) Encode(IsrmModel model, IReadOnlyList<int[]> windows, Settings settings)
    {
        Tensor tokens = tensor(windows.SelectMany(w => w.Take(settings.Length).Select(t => (long)t)).ToArray(), new long[] { windows.Count, settings.Length });
        long[] positions = Enumerable.Range(1, settings.Vectors).Select(i => (long)i * settings.Length / settings.Vectors - 1).ToArray();
        Tensor index = tensor(positions, device: model.Device);
        Tensor memory = StateReader.Batched(tokens.to(model.Device), 8, b => StateReader.States(model, b, settings.K).index_select(1, index));
        return (memory.cpu(), tokens);
    }
}
