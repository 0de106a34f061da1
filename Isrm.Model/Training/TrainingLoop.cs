namespace Isrm.Model.Training;

/// <summary>
/// One training run as <see cref="TrainingLoop"/> drives it: the text trainer (<see cref="Trainer"/>) and the puzzle
/// trainer (<c>PuzzleTrainer</c>) say how to take one optimizer step, evaluate and save; the loop owns the rest.
/// </summary>
public interface ITrainingRun
{
    /// <summary>Optimizer steps done.</summary>
    int Step { get; }

    /// <summary>Optimizer steps planned (the schedule ends there).</summary>
    int Steps { get; }

    int SaveEvery { get; }

    /// <summary>Evaluate every this many steps and at the last; 0 = never.</summary>
    int EvalEvery { get; }

    /// <summary>The run's total training time in minutes (a resumed run counts the time already spent), or null.</summary>
    double? MaxMinutes { get; }

    /// <summary>The run folder (it holds <see cref="TrainingLoop.MetricsFile"/>); null for a run that keeps no files (a probe's fine-tune).</summary>
    string? Out { get; }

    /// <summary>One optimizer step; <paramref name="seconds"/> is the run's training time so far (schedules may follow it).</summary>
    TrainingProgress TrainStep(double seconds, double sessionSeconds, int sessionSteps);

    /// <summary>The line with this step's validation figures added.</summary>
    TrainingProgress Evaluate(TrainingProgress line);

    /// <summary>Saves the run atomically (weights, optimizer, <see cref="RunState{TOptions}"/>, metrics) with its training time.</summary>
    void Save(double seconds, TrainingProgress? line);
}

/// <summary>
/// The one training loop, under the text trainer, the puzzle trainer and the probes' fine-tunes (<see cref="TaskLoop"/>):
/// steps until the plan, a time budget, <c>stopAfter</c> steps or cancellation (which saves first); appends every step
/// to <see cref="MetricsFile"/> in one schema (<see cref="TrainingProgress"/>), evaluates and saves on the run's
/// cadence. The optimizer step goes through <see cref="OptimizerStep"/>: clipping, and a step whose gradient is not
/// finite is skipped, never applied. A non-finite loss, or <c>nonFiniteLimit</c> non-finite gradients in a row, stop the
/// run (saved with its last finite weights) as <see cref="TrainingOutcome.Diverged"/>.
/// </summary>
public static class TrainingLoop
{
    public const string MetricsFile = "metrics.jsonl";

    // A skipped step's gradient norm is NaN or ∞: written as "NaN" / "Infinity" (the Training page reads them back).
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <param name="secondsBefore">Training time of the run before this session (from its <see cref="RunState{TOptions}"/>).</param>
    public static TrainingOutcome Run(ITrainingRun run, double secondsBefore, Action<TrainingProgress>? progress = null,
        CancellationToken cancellation = default, int? stopAfter = null, int nonFiniteLimit = 10)
    {
        var clock = Stopwatch.StartNew();
        double Seconds() => secondsBefore + clock.Elapsed.TotalSeconds;
        int sessionStart = run.Step, nonFinite = 0;
        while (run.Step < run.Steps)
        {
            if (cancellation.IsCancellationRequested) { run.Save(Seconds(), null); return TrainingOutcome.Interrupted; }
            if (stopAfter is int n && run.Step - sessionStart >= n) { run.Save(Seconds(), null); return TrainingOutcome.Paused; }
            if (run.MaxMinutes is double budget && Seconds() >= budget * 60) { run.Save(Seconds(), null); return TrainingOutcome.Completed; }
            TrainingProgress line = run.TrainStep(Seconds(), clock.Elapsed.TotalSeconds, run.Step - sessionStart + 1);
            bool last = run.Step == run.Steps;
            if (run.EvalEvery > 0 && (run.Step % run.EvalEvery == 0 || last)) line = run.Evaluate(line);
            line = line with { ElapsedSec = Seconds() };
            if (run.Out is not null) File.AppendAllText(Path.Combine(run.Out, MetricsFile), JsonSerializer.Serialize(line, Json) + "\n");
            nonFinite = double.IsFinite(line.GradNorm) ? 0 : nonFinite + 1;
            if (!double.IsFinite(line.TrainLoss) || nonFinite >= nonFiniteLimit)
            {
                run.Save(Seconds(), null);
                progress?.Invoke(line with { Saved = true });
                return TrainingOutcome.Diverged;
            }
            bool save = run.Step % run.SaveEvery == 0 || last;
            if (save) run.Save(Seconds(), line);
            progress?.Invoke(line with { Saved = save });
        }
        return TrainingOutcome.Completed;
    }
}

/// <summary>The optimizer step both trainers take: clip the gradient norm, and skip the update when it is not finite.</summary>
public static class OptimizerStep
{
    /// <summary>Returns the gradient norm before clipping; NaN or ∞ means the update was skipped (the weights stay as they were).</summary>
    public static double Apply(TorchSharp.torch.optim.Optimizer optimizer, IEnumerable<TorchSharp.Modules.Parameter> parameters, double clip)
    {
        double norm = TorchSharp.torch.nn.utils.clip_grad_norm_(parameters, clip);
        // A non-finite gradient (an overflow) would turn every weight into NaN: the step is skipped and counted.
        if (double.IsFinite(norm)) optimizer.step();
        return norm;
    }
}

/// <summary>
/// The one resume format of every run folder, <c>trainer.json</c>: steps done, tokens (or instances) seen, training
/// FLOPs, training seconds, the options the run was planned with and the commands that made it.
/// </summary>
public sealed record RunState<TOptions>(int Step, long Tokens, double Flops, double ElapsedSec, TOptions Options, string Command)
{
    public const string File = "trainer.json";
}
