using Isrm.Model.Generation;

namespace Isrm.Research.Probes;

/// <summary>
/// Trains a <see cref="Critic"/> on frozen states (real continuations vs the model's own samples of the same prompts),
/// then compares sampling with and without reranking on held-out prompts: repetition (share of repeated 4-grams), and
/// the model's own loss on the chosen continuation. The language model, hence its validation loss, is untouched.
/// </summary>
public static class CriticProbe
{
    /// <summary>Prompt and continuation lengths, candidates per prompt, prompts, critic training steps.</summary>
    public sealed record Settings(int Prompt = 64, int Continuation = 48, int Candidates = 4, int Prompts = 32, int Steps = 200,
        float Temperature = 1f, int Seed = 1, int K = 8);

    /// <summary>Metrics of the first sample (no critic) and of the critic's choice; critic accuracy on held-out real/fake pairs.</summary>
    public sealed record Result(double RepeatedFourGramsPlain, double RepeatedFourGramsCritic, double LossPlain, double LossCritic, double CriticAccuracy, int ChangedChoices);

    /// <summary>One held-out prompt: its tokens, each candidate's tokens, repetition and model loss, and the critic's choice.</summary>
    public sealed record PromptOutcome(int[] Prompt, long[][] Candidates, double[] RepeatedFourGrams, double[] Loss, int Chosen);

    /// <summary>Every held-out prompt's outcome; the critic's accuracy on held-out real/sampled continuations and how many it judged.</summary>
    public sealed record Trial(IReadOnlyList<PromptOutcome> Prompts, double CriticAccuracy, int HeldOutJudged);

    public static Result Run(IsrmModel model, IReadOnlyList<int[]> trainWindows, IReadOnlyList<int[]> testWindows, Settings settings, Action<string>? progress = null)
    {
        Trial trial = RunTrial(model, trainWindows, testWindows, settings, progress);
        var p = trial.Prompts;
        return new Result(p.Average(o => o.RepeatedFourGrams[0]), p.Average(o => o.RepeatedFourGrams[o.Chosen]), p.Average(o => o.Loss[0]),
            p.Average(o => o.Loss[o.Chosen]), trial.CriticAccuracy, p.Count(o => o.Chosen != 0));
    }

    /// <summary>
    /// Trains the critic on <paramref name="trainWindows"/> (real continuation vs one sample each), then samples
    /// <see cref="Settings.Candidates"/> continuations for each of the first <see cref="Settings.Prompts"/> held-out windows
    /// and lets the critic choose among them.
    /// </summary>
    public static Trial RunTrial(IsrmModel model, IReadOnlyList<int[]> trainWindows, IReadOnlyList<int[]> testWindows, Settings settings, Action<string>? progress = null)
    {
        using var scope = NewDisposeScope();
        manual_seed(settings.Seed);
        using var critic = new Critic(model.Config.Width);
        progress?.Invoke("sampling fake continuations for the critic");
        var (trainReal, trainFake) = RealAndFake(model, trainWindows, settings);
        var (testReal, testFake) = RealAndFake(model, testWindows, settings);
        Tensor x = cat(new[] { trainReal, trainFake }, 0), y = cat(new[] { ones(trainReal.shape[0]), zeros(trainFake.shape[0]) });
        // full-batch steps in the one fine-tune loop: no warm-up, no clipping, AdamW's default β2
        TaskLoop.Run([new TaskLoop.ParameterGroup(critic.parameters().ToList(), 3e-3)], _ => nn.functional.binary_cross_entropy_with_logits(critic.forward(x), y),
            settings.Steps, double.PositiveInfinity, warmup: 1, settings.Seed, beta2: 0.999, reseed: false, clip: double.PositiveInfinity);
        double accuracy;
        int judged = (int)(testReal.shape[0] + testFake.shape[0]);
        using (no_grad())
            accuracy = (critic.forward(testReal).gt(0).to_type(ScalarType.Float32).sum().item<float>()
                + critic.forward(testFake).le(0).to_type(ScalarType.Float32).sum().item<float>()) / judged;

        progress?.Invoke("sampling candidates for held-out prompts");
        var prompts = testWindows.Take(settings.Prompts).Select(w => w[..settings.Prompt]).ToList();
        var (candidates, states, losses) = Sample(model, prompts, settings.Candidates, settings);   // (P·n, m), (P·n, m, D), (P·n)
        long[] chosen;
        using (no_grad()) chosen = Critic.Rerank(critic.forward(states), settings.Candidates);
        float[] lossValues = losses.data<float>().ToArray();
        int n = settings.Candidates;
        var outcomes = Enumerable.Range(0, prompts.Count).Select(p => new PromptOutcome(prompts[p], candidates.Skip(p * n).Take(n).ToArray(),
            Enumerable.Range(p * n, n).Select(i => RepeatedFourGrams(candidates[i])).ToArray(),
            Enumerable.Range(p * n, n).Select(i => (double)lossValues[i]).ToArray(), (int)chosen[p])).ToList();
        return new Trial(outcomes, accuracy, judged);
    }

    /// <summary>
    /// Each candidate's mean NLL (nats/token) under another model, <paramref name="judge"/>, reading prompt + candidate:
    /// a measure of the chosen text that does not come from the model that wrote it. Result [prompt][candidate].
    /// </summary>
    public static double[][] JudgeLoss(IsrmModel judge, IReadOnlyList<PromptOutcome> prompts, int loops)
    {
        using var scope = NewDisposeScope();
        int promptLength = prompts[0].Prompt.Length, m = prompts[0].Candidates[0].Length, n = prompts[0].Candidates.Length;
        if (promptLength + m > judge.Config.MaxContext)
            throw new ArgumentException($"the judge reads at most {judge.Config.MaxContext} tokens; prompt and continuation take {promptLength + m}.");
        long[] rows = prompts.SelectMany(p => p.Candidates.SelectMany(c => p.Prompt.Select(t => (long)t).Concat(c))).ToArray();
        Tensor tokens = tensor(rows, new long[] { prompts.Count * n, promptLength + m }, device: judge.Device);
        Tensor nll = StateReader.Batched(tokens, 16, b =>
        {
            Tensor logProbs = StateReader.LogProbs(judge, b, loops).narrow(1, promptLength - 1, m);          // predicting the continuation
            return -logProbs.gather(-1, b.narrow(1, promptLength, m).unsqueeze(-1)).squeeze(-1).mean(new long[] { 1 });
        }).cpu();
        float[] values = nll.data<float>().ToArray();
        return Enumerable.Range(0, prompts.Count).Select(p => Enumerable.Range(p * n, n).Select(i => (double)values[i]).ToArray()).ToArray();
    }

    /// <summary>Share of a token sequence's 4-grams that occurred earlier in it (0 = no repetition).</summary>
    public static double RepeatedFourGrams(IReadOnlyList<long> tokens)
    {
        var seen = new HashSet<(long, long, long, long)>();
        int repeated = 0, total = 0;
        for (int i = 0; i + 3 < tokens.Count; i++, total++)
            if (!seen.Add((tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]))) repeated++;
        return total == 0 ? 0 : repeated / (double)total;
    }

    // Critic inputs: states over the real continuation and over one model sample, for each window's prompt.
    private static (Tensor Real, Tensor Fake) RealAndFake(IsrmModel model, IReadOnlyList<int[]> windows, Settings settings)
    {
        using var scope = NewDisposeScope();
        var prompts = windows.Select(w => w[..settings.Prompt]).ToList();
        Tensor full = tensor(windows.SelectMany(w => w[..(settings.Prompt + settings.Continuation)].Select(t => (long)t)).ToArray(),
            new long[] { windows.Count, settings.Prompt + settings.Continuation }, device: model.Device);
        Tensor real = StateReader.Batched(full, 16, b => StateReader.States(model, b, settings.K)).narrow(1, settings.Prompt, settings.Continuation);
        var (_, fake, _) = Sample(model, prompts, 1, settings);
        return (real.MoveToOuterDisposeScope(), fake.MoveToOuterDisposeScope());
    }

    // n samples per prompt with the generation cache: tokens, the states over them (as the model re-reads the whole
    // text) and the model's mean NLL of each sample.
    private static (List<long[]> Tokens, Tensor States, Tensor Loss) Sample(IsrmModel model, IReadOnlyList<int[]> prompts, int n, Settings settings)
    {
        using var scope = NewDisposeScope();
        var tokens = new List<long[]>();
        var states = new List<Tensor>();
        var losses = new List<Tensor>();
        for (int start = 0; start < prompts.Count; start += SampleBlock)   // blocks bound the generation cache's memory
        {
            var (t, s, l) = SampleBlockOf(model, prompts.Skip(start).Take(SampleBlock).ToList(), n, settings);
            tokens.AddRange(t);
            states.Add(s);
            losses.Add(l);
        }
        return (tokens, cat(states.ToArray(), 0).MoveToOuterDisposeScope(), cat(losses.ToArray(), 0).MoveToOuterDisposeScope());
    }

    private const int SampleBlock = 32;

    private static (List<long[]> Tokens, Tensor States, Tensor Loss) SampleBlockOf(IsrmModel model, IReadOnlyList<int[]> prompts, int n, Settings settings)
    {
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        int batch = prompts.Count * n;
        Tensor prompt = tensor(prompts.SelectMany(p => Enumerable.Repeat(p, n)).SelectMany(p => p.Select(t => (long)t)).ToArray(), new long[] { batch, settings.Prompt }, device: model.Device);
        var options = new RefinementOptions { K = settings.K, EveryStepLogits = false };
        using var cache = new RefinementCache(model.Config with { MaxContext = Math.Max(model.Config.MaxContext, settings.Prompt + settings.Continuation) }, batch, model.Device);
        Tensor input = prompt;
        var sampled = new List<Tensor>();
        var nll = new List<Tensor>();
        int offset = 0;
        for (int t = 0; t < settings.Continuation; t++)
        {
            Tensor? logProbs = null;
            foreach (RefinementStep step in Refiner.Run(model, model.Embed(input), options, cache, offset))
                if (step.IsLast) logProbs = step.LogProbs!.select(1, -1).clone();   // (batch, V)
            offset += (int)input.shape[1];
            Tensor next = (logProbs! / settings.Temperature).softmax(-1).multinomial(1);   // (batch, 1)
            nll.Add(-logProbs!.gather(-1, next));
            sampled.Add(next);
            input = next;
        }
        Tensor tokens = cat(sampled.ToArray(), 1);                                           // (batch, m)
        Tensor states = StateReader.Batched(cat(new[] { prompt, tokens }, 1), 16, b => StateReader.States(model, b, settings.K))
            .narrow(1, settings.Prompt, settings.Continuation);
        Tensor loss = cat(nll.ToArray(), 1).mean(new long[] { 1 }).cpu();
        var list = Enumerable.Range(0, batch).Select(i => tokens[i].cpu().data<long>().ToArray()).ToList();
        return (list, states.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope());
    }
}
