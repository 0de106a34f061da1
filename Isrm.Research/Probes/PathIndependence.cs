namespace Isrm.Research.Probes;

/// <summary>
/// Path independence (Anil et al. 2022): does refinement reach the same answer, and the same state, from different
/// starting states? Each instance is refined K steps from the network's own start and from N − 1 seeded perturbed
/// starts (its start plus Gaussian noise of <see cref="Settings.Noise"/> times the start's RMS, or the input's when the
/// start is zero). Per instance: the same final answer in every run, the largest distance of a final state from the
/// own start's (relative to its norm), and how each run ends — at a fixed point (‖y_K − y_{K−1}‖ below the tolerance),
/// in a cycle of period 2 … <see cref="Settings.MaxPeriod"/> (y_K back within the tolerance of y_{K−p} but not of
/// y_{K−1}), or still moving (a single-pass network, applied once, has no path to end). Works on any <see cref="IStepNetwork"/>: puzzle networks, text tasks and language models.
/// </summary>
public static class PathIndependence
{
    /// <param name="Starts">N, the own start included.</param>
    /// <param name="Tolerance">Relative state distance taken as "the same" (and as "not moving").</param>
    public sealed record Settings(int Starts = 8, int Steps = 256, float Noise = 1f, double Tolerance = 1e-3, int MaxPeriod = 8, long Seed = 1);

    /// <summary>One instance over its N runs: the same answer in all, the largest final-state distance, each run's ending (and cycle period).</summary>
    public sealed record Instance(bool SameAnswer, double MaxStateDistance, IReadOnlyList<RunEnding> Endings, IReadOnlyList<int?> Periods, double FinalRms, double LastChange)
    {
        public bool SameState(double tolerance) => MaxStateDistance < tolerance;
    }

    /// <summary>
    /// Runs the probe on a batch <paramref name="x"/> (as <see cref="Refiner.Run"/> takes it). <paramref name="answer"/>
    /// turns the last step's log-probabilities (B, N, V) into answers (B, M) to compare — every position's argmax for a
    /// puzzle, the answer positions for a text task.
    /// </summary>
    public static List<Instance> Run(IStepNetwork network, Tensor x, Func<Tensor, Tensor> answer, Settings settings, TokenLayout? layout = null)
    {
        if (settings.Starts < 2) throw new ArgumentException("path independence needs at least 2 starts.");
        if (settings.Steps < settings.MaxPeriod + 1) throw new ArgumentException($"refine at least {settings.MaxPeriod + 1} steps to look for cycles up to period {settings.MaxPeriod}.");
        using var scope = NewDisposeScope();
        using var inference = no_grad();
        double inputRms = x.pow(2).mean().sqrt().item<float>();
        var answers = new List<Tensor>();          // (B, M) per start
        var finals = new List<Tensor>();           // (B, D) per start
        var endings = new List<(RunEnding[] Ending, int?[] Period)>();
        Tensor ownChange = zeros(x.shape[0]);       // the own start's last step, ‖y_K − y_{K−1}‖ / ‖y_K‖
        for (int s = 0; s < settings.Starts; s++)
        {
            var options = new RefinementOptions
            {
                K = settings.Steps, EveryStepLogits = false, StepNorms = false, StepHalt = false,
                Intervene = s == 0 ? null : Perturbed(settings.Seed * 1_000_003 + s, settings.Noise, inputRms),
            };
            var tail = new List<Tensor>();          // the last MaxPeriod + 1 states, (B, D) each
            Tensor? last = null;
            foreach (RefinementStep step in Refiner.Run(network, x, options, layout: layout))
            {
                if (step.Step > settings.Steps - settings.MaxPeriod - 1 || step.IsLast) tail.Add(step.Y.flatten(1).clone());
                if (step.IsLast) last = answer(step.LogProbs!).clone();
            }
            answers.Add(last!);
            finals.Add(tail[^1]);
            if (s == 0 && tail.Count > 1) ownChange = (tail[^1] - tail[^2]).norm(1) / tail[^1].norm(1).clamp_min(1e-12);
            endings.Add(RunEndings.Classify(tail, settings.Tolerance, settings.MaxPeriod));
        }
        Tensor own = finals[0];
        Tensor norm = own.norm(1).clamp_min(1e-12);
        Tensor distance = stack(finals.Skip(1).Select(f => (f - own).norm(1) / norm).ToArray()).max(0).values;   // (B)
        Tensor same = stack(answers.Skip(1).Select(a => a.eq(answers[0]).all(1)).ToArray()).all(0);            // (B)
        double[] distances = distance.to(ScalarType.Float64).data<double>().ToArray();
        bool[] sameAnswers = same.data<bool>().ToArray();
        double[] rms = (own.pow(2).mean(new long[] { 1 }).sqrt()).to(ScalarType.Float64).data<double>().ToArray();
        double[] change = ownChange.to(ScalarType.Float64).data<double>().ToArray();
        return Enumerable.Range(0, distances.Length).Select(i => new Instance(sameAnswers[i], distances[i],
            endings.Select(e => e.Ending[i]).ToList(), endings.Select(e => e.Period[i]).ToList(), rms[i], change[i])).ToList();
    }

    /// <summary>A start: the network's own plus noise of <paramref name="noise"/> × its RMS (the input's where it is zero), seeded.</summary>
    private static Intervention Perturbed(long seed, float noise, double inputRms) => new(AfterStep: 0, state =>
    {
        var (y, z) = (state.Y, state.Z);
        var generator = new TorchSharp.torch.Generator((ulong)seed, y.device);
        Tensor Shift(Tensor t)
        {
            if (t.numel() == 0) return t;
            double rms = t.pow(2).mean().sqrt().item<float>();
            double scale = noise * (rms > 1e-6 ? rms : inputRms);
            return t + randn(t.shape, dtype: t.dtype, device: t.device, generator: generator) * scale;
        }
        return state with { Y = Shift(y), Z = Shift(z) };
    });
}
