using Isrm.Model.Reasoning;

namespace Isrm.Model.Tasks.Text;

/// <summary>
/// Exact-match accuracy of a text-task model against K, per size, in the puzzles' result shape. Each batch is refined
/// once, teacher-forced on the true answer, and read at every requested K on the way. Teacher-forced exact match equals
/// greedy decoding's: the answer is causal, so if every answer token (and the closing newline) is the argmax given the
/// true prefix, greedy decoding writes exactly the truth, and otherwise it leaves the truth at the first wrong token.
/// K = ∞ reads each instance once its answer has settled (<see cref="Reasoning.StableAnswerRule"/> on the answer positions).
/// Position accuracy = the fraction of answer tokens right.
/// </summary>
public static class TextTaskEvaluator
{
    public static List<PuzzleResult> Evaluate(
        IsrmModel model, ITextTask task, IReadOnlyList<string> prompts, IReadOnlyList<int?> ks, PuzzleSolveOptions infinity,
        int batch = 50, Action<string>? progress = null, CancellationToken cancellation = default)
    {
        if (ks.Count == 0) throw new ArgumentException("give at least one K.");
        infinity.Validate();
        model.eval();
        var results = new List<PuzzleResult>();
        foreach (var group in prompts.GroupBy(task.Size).OrderBy(g => g.Key))
        {
            List<string> items = group.ToList();
            var tally = ks.Distinct().ToDictionary(k => k?.ToString() ?? "inf", _ => new Tally());
            for (int start = 0; start < items.Count; start += batch)
            {
                List<string> chunk = items.GetRange(start, Math.Min(batch, items.Count - start));
                var clock = System.Diagnostics.Stopwatch.StartNew();
                RunBatch(model, task, chunk, ks, infinity, tally, cancellation);
                progress?.Invoke($"size {group.Key}: {start + chunk.Count}/{items.Count} instances ({clock.Elapsed.TotalSeconds:F1} s for {chunk.Count})");
            }
            foreach (var (k, t) in tally.OrderBy(kv => kv.Key == "inf" ? int.MaxValue : int.Parse(kv.Key)))
                results.Add(new PuzzleResult(group.Key, k, t.Instances, t.Solved, (double)t.Solved / t.Instances,
                    t.RightTokens / t.Tokens, k == "inf" ? t.StepSum / t.Instances : null));
        }
        return results;
    }

    private sealed class Tally
    {
        public int Instances, Solved;
        public double RightTokens, Tokens, StepSum;
    }

    private static void RunBatch(IsrmModel model, ITextTask task, List<string> chunk, IReadOnlyList<int?> ks, PuzzleSolveOptions infinity,
        Dictionary<string, Tally> tally, CancellationToken cancellation)
    {
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        TrainingBatch encoded = TextTaskBatches.Encode(task, model.Config, chunk, model.Device);
        Tensor mask = encoded.LossMask!.to_type(ScalarType.Bool);                                 // (B, T)
        long[] answerTokens = mask.sum(1).data<long>().ToArray();
        bool wantInfinity = ks.Any(k => k is null);
        int maxFixed = ks.Where(k => k is not null).Select(k => k!.Value).DefaultIfEmpty(1).Max();
        int cap = Math.Max(maxFixed, wantInfinity ? infinity.K.Cap : 0);   // the engine runs a single-pass model once
        var options = new RefinementOptions
        {
            K = cap, EveryStepLogits = true, StepNorms = false, StepHalt = false,
        };
        using var rule = new Reasoning.StableAnswerRule(chunk.Count, infinity.Patience, infinity.Tolerance);
        var fixedSteps = ks.Where(k => k is not null).Select(k => k!.Value).ToHashSet();
        Tensor x = model.Embed(encoded.Inputs);
        foreach (RefinementStep step in Refiner.Run(model, x, options, cancellation: cancellation, layout: encoded.Layout))
        {
            using var read = NewDisposeScope();
            IReadOnlyList<int> stopped = wantInfinity ? rule.Observe(step.Step, step.LogProbs!, mask) : [];
            bool last = step.IsLast;
            List<int> unstopped = last && wantInfinity ? Enumerable.Range(0, chunk.Count).Where(i => rule.StoppedAt[i] is null).ToList() : [];
            // A run that ends before a K gives its last answer at that K: a single-pass model's one answer counts for
            // every K (∞ with mean K 1).
            List<string> fixedHere = fixedSteps.Where(k => k == step.Step || (last && k > step.Step)).Select(k => k.ToString()).ToList();
            if (fixedHere.Count > 0 || stopped.Count > 0 || unstopped.Count > 0)
            {
                long[] right = step.LogProbs!.argmax(-1).eq(encoded.Targets).logical_and(mask).sum(1).data<long>().ToArray();
                var all = Enumerable.Range(0, chunk.Count);
                foreach (string key in fixedHere) Add(tally[key], right, answerTokens, all, step.Step);
                if (wantInfinity) Add(tally["inf"], right, answerTokens, stopped.Concat(unstopped), step.Step);
            }
            if (last || (step.Step >= maxFixed && (!wantInfinity || rule.AllStopped))) break;
        }
    }

    private static void Add(Tally t, long[] right, long[] tokens, IEnumerable<int> instances, int step)
    {
        foreach (int i in instances)
        {
            t.Instances++;
            if (right[i] == tokens[i]) t.Solved++;
            t.RightTokens += right[i];
            t.Tokens += tokens[i];
            t.StepSum += step;
        }
    }

    /// <summary>
    /// For the trainer's validation: the fraction of instances solved at K and the mean cross-entropy (nats/token) of
    /// their answer tokens.
    /// </summary>
    public static (double Exact, double Loss) Score(IsrmModel model, ITextTask task, IReadOnlyList<string> prompts, int k)
    {
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        TrainingBatch encoded = TextTaskBatches.Encode(task, model.Config, prompts, model.Device);
        var options = new RefinementOptions
        {
            K = k, EveryStepLogits = false, StepNorms = false, StepHalt = false,
        };
        Tensor mask = encoded.LossMask!;
        foreach (RefinementStep step in Refiner.Run(model, model.Embed(encoded.Inputs), options, layout: encoded.Layout))
        {
            if (!step.IsLast) continue;
            Tensor nll = -step.LogProbs!.gather(-1, encoded.Targets.unsqueeze(-1)).squeeze(-1);      // (B, T)
            double loss = (nll * mask).sum().item<float>() / mask.sum().item<float>();
            Tensor wrong = step.LogProbs!.argmax(-1).ne(encoded.Targets).logical_and(mask.to_type(ScalarType.Bool)).any(1);   // (B)
            double exact = 1 - wrong.to_type(ScalarType.Float32).mean().item<float>();
            return (exact, loss);
        }
        throw new InvalidOperationException("the refinement produced no last step");
    }
}
