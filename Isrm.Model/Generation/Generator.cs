using Isrm.Model.Tasks.Text;

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
        new RefinementOptions { K = request.K, KlTolerance = request.KlTolerance }.Validate();
        Sampler.Validate(request.Temperature, request.TopK, request.TopP);
        if (maxContext < 2) throw new ArgumentException("the model's context is too small to generate.");
        if (request.Intervention?.Problem(request.K, request.MaxTokens) is string problem)
            throw new ArgumentException(problem);
        if (request.Starts?.Problem(request.MaxTokens) is string startsProblem) throw new ArgumentException(startsProblem);
        if (request.Starts is not null && request.Intervention is not null)
            throw new ArgumentException("Choose either an intervention or several starts, not both in one request.");
    }

    /// <summary>
    /// Generates from <paramref name="request"/>, every step refined by <paramref name="network"/> — the checkpoint's
    /// model, or a <see cref="StepScheduler"/>'s network that joins this request's steps with other requests' (the run then
    /// yields <see cref="StepWaitEvent"/> where it waits for the scheduler).
    /// </summary>
    public static IEnumerable<GenerationEvent> Generate(
        LoadedCheckpoint checkpoint, GenerationRequest request, CancellationToken cancellation = default, IStepNetwork? network = null)
    {
        var model = checkpoint.Model;
        var config = model.Config;
        Validate(request, config.MaxContext);
        int[] prompt = checkpoint.Tokenizer.Encode(request.Prompt);
        if (prompt.Length >= config.MaxContext)
            prompt = prompt[^(config.MaxContext - 1)..];   // keep the most recent context; generation stops when it is full
        var options = new RefinementOptions
        {
            K = request.K, KlTolerance = request.KlTolerance,
            Watch = ConvergenceWatch.LastPosition, EveryStepLogits = request.TraceSteps,
            StepNorms = request.TraceSteps, StepHalt = request.TraceSteps, Seed = request.Seed, HostLastPosition = true,
        };
        if (request.Intervention is { Step: > 0 } && config.IsSinglePass)
            throw new ArgumentException($"this checkpoint makes each token in one pass, so there is no step after which to intervene: use step 0 (the start).");
        if (request.Intervention is { Change: InterventionChange.Token } forcing)
            ForcedTokenId(checkpoint, forcing);   // refuses a token the vocabulary cannot make in one, before any is generated
        var sampler = new Sampler(request.Temperature, request.TopK, request.TopP, request.Seed);
        var clock = Stopwatch.StartNew();
        var tokens = new List<int>(prompt);
        var generated = new List<int>();
        string emitted = "";
        StopReason stopReason = StopReason.MaxTokens;

        using var inference = inference_mode();
        using RefinementCache? cache = !request.UseCache ? null
            : (network as ICacheSource)?.NewCache(config, model.Device) ?? new RefinementCache(config, 1, model.Device);
        for (int index = 0; index < request.MaxTokens; index++)
        {
            if (tokens.Count > config.MaxContext) { stopReason = StopReason.ContextFull; break; }
            // Cached: refine only the positions not yet in the cache. Uncached: the whole sequence again. The token of a
            // path-independence request: the whole sequence, once per start, as one batch without the cache.
            bool fromStarts = request.Starts is { } starts && starts.At == index;
            int rows = fromStarts ? request.Starts!.Starts : 1;
            int offset = fromStarts ? 0 : cache?.Length ?? 0;
            int[] chunk = tokens.Skip(offset).ToArray();
            float[] lastLogProbs = [];
            int stepsUsed = 0;
            using (var scope = NewDisposeScope())
            {
                Tensor x = model.Embed(tensor(chunk.Select(t => (long)t).ToArray(), new long[] { 1, chunk.Length }, device: model.Device));
                if (rows > 1) x = x.repeat(rows, 1, 1);
                // A text-task model reads each token's significance and the prompt (null for every other model).
                TokenLayout? layout = TextLayout.For(config, Enumerable.Repeat<IReadOnlyList<int>>(tokens, rows).ToList(), offset, chunk.Length, model.Device);
                RefinementOptions tokenOptions = request.Intervention is { } intervention && intervention.At == index
                    ? options with { Intervene = Intervening(checkpoint, intervention, tokens, options) }
                    : fromStarts ? options with { Intervene = Intervention.RandomStarts(request.Starts!.Seed, lastPositionOnly: true), EveryStepLogits = true } : options;
                IEnumerable<RefinementStep> steps = Refiner.Run(network ?? model, x, tokenOptions, fromStarts ? null : cache, offset, cancellation, layout);
                IEnumerator<RefinementStep> enumerator = steps.GetEnumerator();
                using PathTail? tail = fromStarts ? new PathTail() : null;   // several starts: the token's position in every run
                try
                {
                    while (true)
                    {
                        try { if (!enumerator.MoveNext()) break; }
                        catch (OperationCanceledException) { stopReason = StopReason.Cancelled; break; }
                        RefinementStep step = enumerator.Current;
                        if (step.IsWaiting)
                        {
                            yield return StepWaitEvent.Instance;   // a scheduler computes the step with other runs' steps
                            continue;
                        }
                        stepsUsed = step.Step;
                        if (!request.TraceSteps)
                        {
                            if (step.IsLast) lastLogProbs = step.Host!.LogProbs;   // the only host copy of an untraced token
                            continue;
                        }
                        StepEvent frame = Frame(checkpoint, step, index, request, clock, out lastLogProbs);
                        if (tail is not null) frame = frame with { Paths = Paths(checkpoint, step, tail) };
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
            if (request.Starts is { } made && made.At == index) break;   // a path-independence request ends with its token
            if (request.StopText is { Length: > 0 } stop && emitted.EndsWith(stop, StringComparison.Ordinal)) { stopReason = StopReason.StopText; break; }
        }
        yield return new DoneEvent(generated.Count, clock.Elapsed.TotalMilliseconds, stopReason);
    }

    /// <summary>
    /// The engine's change for the token refined at the last of <paramref name="tokens"/> (only that position takes it).
    /// Another seed's state is the state this position reaches after the same number of steps when the whole text is
    /// refined from that seed's start (no cache); a forced token's input is what the model re-injects for its embedding.
    /// Tensors made here live in the caller's dispose scope, which outlives the run.
    /// </summary>
    private static Intervention Intervening(LoadedCheckpoint checkpoint, InterventionRequest request, List<int> tokens, RefinementOptions options)
    {
        var model = checkpoint.Model;
        int step = request.Step;
        switch (request.Change)
        {
            case InterventionChange.Random:
                return Intervention.RandomState(step, (ulong)request.Seed, lastPositionOnly: true);
            case InterventionChange.Scale:
                return Intervention.Scaled(step, request.Scale, lastPositionOnly: true);
            case InterventionChange.Seed:
            {
                ulong seed = (ulong)request.Seed;
                if (step == 0)
                {
                    var (y0, z0) = model.InitialState(1, tokens.Count, 0, seed);
                    return Intervention.ForeignState(0, y0, z0, lastPositionOnly: true);
                }
                Tensor all = model.Embed(tensor(tokens.Select(t => (long)t).ToArray(), new long[] { 1, tokens.Count }, device: model.Device));
                TokenLayout? layout = TextLayout.For(model.Config, [tokens], 0, tokens.Count, model.Device);
                var foreign = options with { K = step, Seed = seed, EveryStepLogits = false, StepNorms = false, StepHalt = false, Intervene = null };
                Tensor y = empty(0), z = empty(0);
                foreach (RefinementStep s in Refiner.Run(model, all, foreign, layout: layout))
                    if (s.IsLast) (y, z) = (s.Y.narrow(1, tokens.Count - 1, 1).clone(), s.Z.numel() == 0 ? s.Z.clone() : s.Z.narrow(1, tokens.Count - 1, 1).clone());
                return Intervention.ForeignState(step, y, z, lastPositionOnly: true);
            }
            default:
            {
                int id = ForcedTokenId(checkpoint, request);
                Tensor embedded = model.Embed(tensor(new long[] { id }, new long[] { 1, 1 }, device: model.Device));
                return Intervention.ForcedInput(step, model.Inject(embedded, null, tokens.Count - 1), lastPositionOnly: true);
            }
        }
    }

    // Every start's run of the token's position at one step: distance from row 0's state, top tokens; at the last step how each ended.
    private static PathStep Paths(LoadedCheckpoint checkpoint, RefinementStep step, PathTail tail)
    {
        string[] answers = step.LogProbs![.., -1].argmax(-1).data<long>().ToArray().Select(id => checkpoint.Tokenizer.TokenText((int)id)).ToArray();
        return tail.Next(step.Y.select(1, -1), answers.Distinct().Count(), step.IsLast) with { Answers = answers };   // the token's position, (rows, D)
    }

    // The one token a forced text makes, or one sentence why it cannot be forced.
    private static int ForcedTokenId(LoadedCheckpoint checkpoint, InterventionRequest request)
    {
        if (checkpoint.Model.Config.Prelude > 0)
            throw new ArgumentException("this checkpoint has a prelude, whose cached layers would not see a forced token: force tokens on a model without one.");
        int[] ids = checkpoint.Tokenizer.Encode(request.Token ?? "");
        return ids.Length == 1 ? ids[0]
            : throw new ArgumentException($"'{request.Token}' is {ids.Length} tokens for this checkpoint's tokenizer; force one token (for a byte tokenizer, one ASCII character).");
    }

    // The token's step as reported: its first row's last position, copied to the host with the step (HostLastPosition).
    private static StepEvent Frame(LoadedCheckpoint checkpoint, RefinementStep step, int index, GenerationRequest request, Stopwatch clock, out float[] logProbs)
    {
        HostReadings host = step.Host!;
        float[] lps = host.LogProbs;
        logProbs = lps;
        var top = new List<TokenProbability>(request.ReportTopTokens);
        foreach (int id in Highest(lps, request.ReportTopTokens))
            top.Add(new TokenProbability(checkpoint.Tokenizer.TokenText(id), id, MathF.Exp(lps[id])));
        float[]? state = null;
        if (request.IncludeStates)
            using (NewDisposeScope()) state = step.Y[0, -1].cpu().data<float>().ToArray();
        return new StepEvent(
            index, step.Step, top, top[0].Prob, host.Entropy, host.Delta, host.Residual, host.Kl, step.Alpha, host.Halt, clock.Elapsed.TotalMilliseconds, state);
    }

    // The ids of the n largest values, largest first (ties: the lower id first, as a stable sort would give).
    private static int[] Highest(float[] values, int n)
    {
        n = Math.Min(n, values.Length);
        var ids = new int[n];
        int filled = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (filled == n && !(values[i] > values[ids[n - 1]])) continue;
            int at = filled < n ? filled++ : n - 1;
            while (at > 0 && values[i] > values[ids[at - 1]]) { ids[at] = ids[at - 1]; at--; }
            ids[at] = i;
        }
        return ids;
    }
}
