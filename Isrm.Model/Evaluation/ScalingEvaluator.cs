namespace Isrm.Model.Evaluation;

/// <summary>
/// Measures held-out cross-entropy, delta, residual and KL across refinement depths with one pass of the engine up
/// to the largest K (the state after k steps does not depend on how many steps follow), plus an adaptive K = ∞ run.
/// </summary>
public static class ScalingEvaluator
{
    /// <summary>What to evaluate on and how.</summary>
    public sealed record Settings(int Context, int Windows = 48, int BatchSize = 16, int InfCap = RefinementDepth.DefaultCap, float KlTolerance = 1e-3f);

    /// <param name="ks">Finite depths and/or K = ∞; a transformer is evaluated at K = 1 only.</param>
    public static IReadOnlyList<ScalingResult> Evaluate(LoadedCheckpoint checkpoint, IReadOnlyList<CorpusDocument> validation,
        IReadOnlyList<RefinementDepth> ks, Settings settings, Action<string>? progress = null)
    {
        var model = checkpoint.Model;
        bool transformer = model.Config.IsSinglePass;
        int[] finite = transformer ? [1] : ks.Select(k => k.Steps).OfType<int>().Distinct().Order().ToArray();
        bool inf = !transformer && ks.Any(k => k.IsInfinite);
        var windows = new TokenWindows(validation, checkpoint.Tokenizer, settings.Context);
        double bytesPerToken = windows.BytesPerToken(checkpoint.Tokenizer, validation);

        var sums = finite.ToDictionary(k => k, _ => new Sums());
        var infSums = new Sums();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (inputs, targets) = windows.Fixed(settings.Windows, model.Device);
        long batches = (inputs.shape[0] + settings.BatchSize - 1) / settings.BatchSize;
        for (long b = 0; b < batches; b++)
        {
            using var batchScope = NewDisposeScope();
            long start = b * settings.BatchSize, n = Math.Min(settings.BatchSize, inputs.shape[0] - start);
            Tensor x = model.Embed(inputs.narrow(0, start, n)), y = targets.narrow(0, start, n).reshape(-1);
            Tensor? previous = null;
            var options = new RefinementOptions { K = finite[^1], EveryStepLogits = false };
            foreach (RefinementStep step in Refiner.Run(model, x, options))
            {
                if (!sums.TryGetValue(step.Step, out Sums? s)) continue;
                Tensor logProbs = model.Logits(step.Y).log_softmax(-1);
                s.Add(logProbs, y, step, previous);
                previous = logProbs;
            }
            if (inf)
            {
                var adaptive = new RefinementOptions { K = RefinementDepth.Infinite.Capped(settings.InfCap), KlTolerance = settings.KlTolerance, Watch = ConvergenceWatch.MeanOverPositions };
                foreach (RefinementStep step in Refiner.Run(model, x, adaptive))
                    if (step.IsLast)
                    {
                        infSums.Add(step.LogProbs!, y, step, previous);
                        infSums.StepsReached += step.Step * n;
                        infSums.Sequences += n;
                    }
            }
            progress?.Invoke($"{checkpoint.Info.Name}: batch {b + 1}/{batches}");
        }

        var results = finite.Select(k => sums[k].Result(checkpoint, k, bytesPerToken, k == finite[0])).ToList();
        if (inf) results.Add(infSums.Result(checkpoint, RefinementDepth.Infinite, bytesPerToken, false) with { MeanKReached = infSums.StepsReached / Math.Max(1, infSums.Sequences) });
        return results;
    }

    private sealed class Sums
    {
        private double _nll, _delta, _residual, _kl;
        private long _positions;
        public double StepsReached;
        public long Sequences;

        public void Add(Tensor logProbs, Tensor targets, RefinementStep step, Tensor? previous)
        {
            long vocab = logProbs.shape[^1];
            _nll += nn.functional.nll_loss(logProbs.reshape(-1, vocab), targets, reduction: nn.Reduction.Sum).item<float>();
            _delta += step.Delta!.sum().item<float>();
            _residual += step.Residual!.sum().item<float>();
            if (previous is not null) _kl += (logProbs.exp() * (logProbs - previous)).sum().item<float>();
            _positions += targets.numel();
        }

        public ScalingResult Result(LoadedCheckpoint checkpoint, RefinementDepth k, double bytesPerToken, bool first) => new()
        {
            Checkpoint = checkpoint.Info.Name, Family = checkpoint.Model.Config.Family, K = k,
            LossNatsPerToken = _nll / _positions, BitsPerByte = _nll / _positions / Math.Log(2) / bytesPerToken,
            MeanDelta = _delta / _positions, MeanResidual = _residual / _positions,
            KlToPrevious = first ? null : _kl / _positions, Positions = (int)_positions,
        };
    }
}
