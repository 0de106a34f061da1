using System.Diagnostics;
using Isrm.Model.Checkpoints;
using Isrm.Model.Modules;
using Isrm.Model.Refinement;
using Isrm.Model.Tasks.Text;
using static TorchSharp.torch;

namespace Isrm.Model.Generation;

/// <summary>
/// Autoregressive generation on top of the refinement engine; every refinement step of every token is reported.
/// Call on the model thread. With the cache each token costs O(K·n); without it the whole sequence is recomputed.
/// </summary>
public static class Generator
{
    /// <summary>Checks a request; throws <see cref="ArgumentException"/> with one sentence for the first problem.</summary>
    public static void Validate(GenerationRequest request, int maxContext)
    {
        if (string.IsNullOrEmpty(request.Prompt)) throw new ArgumentException("the prompt is empty.");
        if (request.MaxTokens < 1) throw new ArgumentException("max tokens must be at least 1.");
        if (request.ReportTopTokens < 1) throw new ArgumentException("the number of reported top tokens must be at least 1.");
        new RefinementOptions { Loops = request.Loops, MaxLoops = request.MaxLoops, KlTolerance = request.KlTolerance }.Validate();
        Sampler.Validate(request.Temperature, request.TopK, request.TopP);
        if (maxContext < 2) throw new ArgumentException("the model's context is too small to generate.");
    }

    public static IEnumerable<GenerationEvent> Generate(LoadedCheckpoint checkpoint, GenerationRequest request, CancellationToken cancellation = default)
    {
        var model = checkpoint.Model;
        var config = model.Config;
        Validate(request, config.MaxContext);
        int[] prompt = checkpoint.Tokenizer.Encode(request.Prompt);
        if (prompt.Length >= config.MaxContext)
            prompt = prompt[^(config.MaxContext - 1)..];   // keep the most recent context; generation stops when it is full
        var options = new RefinementOptions
        {
            Loops = request.Loops, MaxLoops = request.MaxLoops, KlTolerance = request.KlTolerance,
            Watch = ConvergenceWatch.LastPosition, EveryStepLogits = request.TraceSteps,
            StepNorms = request.TraceSteps, StepHalt = request.TraceSteps, Seed = request.Seed,
        };
        var sampler = new Sampler(request.Temperature, request.TopK, request.TopP, request.Seed);
        var clock = Stopwatch.StartNew();
        var tokens = new List<int>(prompt);
        var generated = new List<int>();
        string emitted = "";
        StopReason stopReason = StopReason.MaxTokens;

        using var inference = inference_mode();
        using RefinementCache? cache = request.UseCache ? new RefinementCache(config, 1, model.Device) : null;
        for (int index = 0; index < request.MaxTokens; index++)
        {
            if (tokens.Count > config.MaxContext) { stopReason = StopReason.ContextFull; break; }
            // Cached: refine only the positions not yet in the cache. Uncached: the whole sequence again.
            int offset = cache?.Length ?? 0;
            int[] chunk = tokens.Skip(offset).ToArray();
            float[] lastLogProbs = [];
            int stepsUsed = 0;
            using (var scope = NewDisposeScope())
            {
                Tensor x = model.Embed(tensor(chunk.Select(t => (long)t).ToArray(), new long[] { 1, chunk.Length }, device: model.Device));
                // A text-task model reads each token's significance and the prompt (null for every other model).
                TokenLayout? layout = TextLayout.For(config, [tokens], offset, chunk.Length, model.Device);
                IEnumerable<RefinementStep> steps = Refiner.Run(model, x, options, cache, offset, cancellation, layout);
                IEnumerator<RefinementStep> enumerator = steps.GetEnumerator();
                try
                {
                    while (true)
                    {
                        try { if (!enumerator.MoveNext()) break; }
                        catch (OperationCanceledException) { stopReason = StopReason.Cancelled; break; }
                        RefinementStep step = enumerator.Current;
                        stepsUsed = step.Step;
                        if (!request.TraceSteps)
                        {
                            if (step.IsLast) lastLogProbs = LastLogProbs(step);   // the only host copy of an untraced token
                            continue;
                        }
                        StepEvent frame = Frame(checkpoint, step, index, request, clock, out lastLogProbs);
                        yield return frame;
                    }
                }
                finally { enumerator.Dispose(); }
            }
            if (stopReason == StopReason.Cancelled) break;

            int next = sampler.Next(lastLogProbs);
            tokens.Add(next);
            generated.Add(next);
            string decoded = checkpoint.Tokenizer.Decode(generated);
            string stable = decoded.TrimEnd('\uFFFD');   // an incomplete UTF-8 sequence waits for its next byte
            string text = stable.Length >= emitted.Length && stable.StartsWith(emitted, StringComparison.Ordinal) ? stable[emitted.Length..] : "";
            emitted += text;
            yield return new TokenEvent(index, text, next, stepsUsed);
            if (request.StopText is { Length: > 0 } stop && emitted.EndsWith(stop, StringComparison.Ordinal)) { stopReason = StopReason.StopText; break; }
        }
        yield return new DoneEvent(generated.Count, clock.Elapsed.TotalMilliseconds, stopReason);
    }

    private static float[] LastLogProbs(RefinementStep step)
    {
        using var scope = NewDisposeScope();
        return step.LogProbs![0, -1].cpu().data<float>().ToArray();                     // (V)
    }

    private static StepEvent Frame(LoadedCheckpoint checkpoint, RefinementStep step, int index, GenerationRequest request, Stopwatch clock, out float[] logProbs)
    {
        using var scope = NewDisposeScope();
        float[] lps = LastLogProbs(step);
        logProbs = lps;
        var top = new List<TokenProbability>(request.ReportTopTokens);
        foreach (int id in Enumerable.Range(0, lps.Length).OrderByDescending(i => lps[i]).Take(request.ReportTopTokens))
            top.Add(new TokenProbability(checkpoint.Tokenizer.TokenText(id), id, MathF.Exp(lps[id])));
        double entropy = 0;
        foreach (float lp in lps) entropy -= Math.Exp(lp) * lp;
        return new StepEvent(
            index, step.Step, top, top[0].Prob, (float)entropy,
            step.Delta![0, -1].item<float>(), step.Residual![0, -1].item<float>(),
            step.KlToPrevious is null ? 0 : step.KlToPrevious[0, -1].item<float>(),
            step.Alpha, step.Halt![0, -1].item<float>(), clock.Elapsed.TotalMilliseconds,
            request.IncludeStates ? step.Y[0, -1].cpu().data<float>().ToArray() : null);
    }
}
