namespace Isrm.Research.Commands;

/// <summary>
/// <c>isrm-research critic-ci</c> (issue 14.6): does the internal critic change what gets generated? Trains the critic on
/// the checkpoint's training documents, samples several continuations for each of many held-out prompts, and compares
/// the critic's choice with a random pick (the mean over the candidates) and with the first sample, per prompt:
/// the paired differences' mean with a 95 % t-interval and bootstrap interval, for the model's own loss, a judge
/// model's loss and repetition.
/// </summary>
internal static class CriticCiCommand
{
    /// <summary>One measure of the chosen text: means, and the intervals of the paired differences.</summary>
    public sealed record Metric(string Name, string Better, double RandomPick, double FirstSample, double Critic,
        PairedInterval.Summary VsRandomPick, PairedInterval.Summary VsFirstSample, string Verdict);

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint whose states the critic reads", Required = true };
        var corpus = new Option<string>("--corpus") { Description = "Its training corpus (critic fits on training documents, prompts come from validation)", Required = true };
        var judge = new Option<string?>("--judge") { Description = "Another checkpoint (same tokenizer) that scores the chosen text" };
        var prompts = CliOptions.Int("--prompts", "Held-out prompts (the issue asks for ≥ 200)", 1, 1_000_000, 256, false);
        var candidates = CliOptions.Int("--candidates", "Candidate continuations per prompt", 1, 1_000_000, 4, false);
        var trainWindows = CliOptions.Int("--train-windows", "Real/sampled pairs the critic trains on", 1, 1_000_000, 256, false);
        var steps = CliOptions.Int("--steps", "Critic training steps", 1, 100_000_000, 200, false);
        var promptLength = CliOptions.Int("--prompt-length", "Prompt tokens", 1, 1_000_000, 64, false);
        var continuation = CliOptions.Int("--continuation", "Continuation tokens", 1, 1_000_000, 48, false);
        var loops = CliOptions.Int("--k", "Refinement steps for models that refine", 1, 1_000_000, 8, false, "--loops");
        var seed = CliOptions.Int("--seed", "Seed", 0, int.MaxValue, 1, false);
        var json = new Option<string?>("--json") { Description = "Also write the results to this JSON file" };
        var force = CliOptions.Force("the --json file");
        var command = CliCommands.Create("critic-ci", "The critic's effect on the chosen continuation over many prompts, with 95 % confidence intervals",
            checkpoint, corpus, judge, prompts, candidates, trainWindows, steps, promptLength, continuation, loops, seed, json, force);
        command.SetAction(parse => MeasuringCommand.Run(parse, json, force, () =>
        {
            if (parse.GetValue(prompts) < 2 || parse.GetValue(candidates) < 2)
                throw new ArgumentException("--prompts and --candidates must each be at least 2.");
            string dir = parse.GetValue(checkpoint)!;
            using LoadedCheckpoint model = Checkpoint.Load(dir, ComputeDevice.Parse("cpu"));
            using LoadedCheckpoint? judging = parse.GetValue(judge) is string j ? Checkpoint.Load(j, ComputeDevice.Parse("cpu")) : null;
            if (judging is not null && judging.Tokenizer.Kind != model.Tokenizer.Kind)
                throw new ArgumentException($"the judge's tokenizer ({judging.Tokenizer.Kind}) differs from the checkpoint's ({model.Tokenizer.Kind}).");
            var (fit, score, _) = EvaluationDocuments.Select(Corpus.Load(parse.GetValue(corpus)!), dir, "auto").ProbeDocuments();
            var settings = new CriticProbe.Settings(Prompt: parse.GetValue(promptLength), Continuation: parse.GetValue(continuation),
                Candidates: parse.GetValue(candidates), Prompts: parse.GetValue(prompts), Steps: parse.GetValue(steps), Seed: parse.GetValue(seed), K: parse.GetValue(loops));
            int need = settings.Prompt + settings.Continuation;
            List<int[]> train = Windows(model, fit, need, parse.GetValue(trainWindows)), test = Windows(model, score, need, settings.Prompts);
            if (test.Count < settings.Prompts)
                throw new ArgumentException($"the held-out documents give only {test.Count} windows of {need} tokens; ask for fewer --prompts.");
            Console.WriteLine($"{model.Info.Name}: critic trains on {train.Count} windows, judged on {test.Count} held-out prompts × {settings.Candidates} candidates");
            CriticProbe.Trial trial = CriticProbe.RunTrial(model.Model, train, test, settings, Console.WriteLine);
            var metrics = new List<Metric>
            {
                Measure("own loss (nats/token)", "lower", trial.Prompts.Select(p => p.Loss).ToList(), trial),
                Measure("repeated 4-grams (share)", "lower", trial.Prompts.Select(p => p.RepeatedFourGrams).ToList(), trial),
            };
            if (judging is not null)
                metrics.Insert(1, Measure($"judge loss, {judging.Info.Name} (nats/token)", "lower",
                    CriticProbe.JudgeLoss(judging.Model, trial.Prompts, parse.GetValue(loops)), trial));
            int correct = (int)Math.Round(trial.CriticAccuracy * trial.HeldOutJudged);
            var (accLow, accHigh) = PairedInterval.Wilson(correct, trial.HeldOutJudged);
            Console.WriteLine($"critic accuracy, real vs sampled (held out): {trial.CriticAccuracy:P1} (95 % {accLow:P1} … {accHigh:P1}, {trial.HeldOutJudged} texts)");
            Console.WriteLine($"choices that differ from the first sample: {trial.Prompts.Count(p => p.Chosen != 0)} of {trial.Prompts.Count}");
            foreach (Metric m in metrics)
                Console.WriteLine($"{m.Name}: random pick {m.RandomPick:F4}, first sample {m.FirstSample:F4}, critic {m.Critic:F4}; critic − random pick {m.VsRandomPick.Mean:+0.0000;-0.0000} " +
                    $"(t 95 % {m.VsRandomPick.TLow:+0.0000;-0.0000} … {m.VsRandomPick.THigh:+0.0000;-0.0000}, bootstrap {m.VsRandomPick.BootstrapLow:+0.0000;-0.0000} … {m.VsRandomPick.BootstrapHigh:+0.0000;-0.0000}): {m.Verdict}");
            var result = new
            {
                command = "isrm-research " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                checkpoint = model.Info.Name, family = model.Info.Family, judge = judging?.Info.Name,
                prompts = trial.Prompts.Count, settings.Candidates, trainWindows = train.Count, criticSteps = settings.Steps,
                criticAccuracy = trial.CriticAccuracy, criticAccuracyLow = accLow, criticAccuracyHigh = accHigh, heldOutJudged = trial.HeldOutJudged,
                changedChoices = trial.Prompts.Count(p => p.Chosen != 0), metrics,
            };
            if (parse.GetValue(json) is string path) JsonOutput.Write(path, result, force: true);
            return 0;
        }));
        return command;
    }

    /// <summary>Means and paired intervals of one measure given per prompt and candidate.</summary>
    internal static Metric Measure(string name, string better, IReadOnlyList<double[]> values, CriticProbe.Trial trial)
    {
        var chosen = trial.Prompts.Select((p, i) => values[i][p.Chosen]).ToList();
        var random = values.Select(v => v.Average()).ToList();
        var first = values.Select(v => v[0]).ToList();
        var vsRandom = PairedInterval.Of(chosen.Zip(random, (c, r) => c - r).ToList());
        var vsFirst = PairedInterval.Of(chosen.Zip(first, (c, f) => c - f).ToList(), seed: 2);
        string verdict = vsRandom.ContainsZero ? "no measured effect (the interval contains 0)"
            : (vsRandom.Mean < 0) == (better == "lower") ? "the critic's choice is better" : "the critic's choice is worse";
        return new Metric(name, better, random.Average(), first.Average(), chosen.Average(), vsRandom, vsFirst, verdict);
    }

    /// <summary>
    /// Up to <paramref name="count"/> non-overlapping windows of <paramref name="need"/> tokens, taken round-robin over
    /// the documents (the first window of each, then the second, …) so that prompts spread over all of them.
    /// </summary>
    private static List<int[]> Windows(LoadedCheckpoint checkpoint, IReadOnlyList<CorpusDocument> documents, int need, int count)
    {
        var perDocument = documents.Select(d => checkpoint.Tokenizer.Encode(d.Text))
            .Select(t => Enumerable.Range(0, t.Length / need).Select(i => t[(i * need)..((i + 1) * need)]).ToList()).ToList();
        int deepest = perDocument.Count == 0 ? 0 : perDocument.Max(w => w.Count);
        return Enumerable.Range(0, deepest).SelectMany(i => perDocument.Where(w => i < w.Count).Select(w => w[i])).Take(count).ToList();
    }
}
