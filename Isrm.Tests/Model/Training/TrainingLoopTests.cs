namespace Isrm.Tests.Model.Training;

/// <summary>The one training loop's rules, on a scripted run: cadence, metrics, stops and the non-finite rule.</summary>
public sealed class TrainingLoopTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("isrm-loop-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Steps whose loss and gradient norm come from a script; records saves and evaluations.</summary>
    private sealed class Scripted(string? folder, int steps, Func<int, (double Loss, double Norm)> script) : ITrainingRun
    {
        public List<(int Step, double Seconds)> Saves { get; } = [];
        public List<int> Evaluated { get; } = [];
        public int Step { get; private set; }
        public int Steps => steps;
        public int SaveEvery { get; init; } = 3;
        public int EvalEvery { get; init; } = 2;
        public double? MaxMinutes { get; init; }
        public string? Out => folder;

        public TrainingProgress TrainStep(double seconds, double sessionSeconds, int sessionSteps)
        {
            var (loss, norm) = script(Step);
            Step++;
            return new TrainingProgress { Step = Step, Steps = steps, TrainLoss = loss, GradNorm = norm };
        }

        public TrainingProgress Evaluate(TrainingProgress line)
        {
            Evaluated.Add(line.Step);
            return line with { ValLoss = 1.0 / line.Step };
        }

        public void Save(double seconds, TrainingProgress? line) => Saves.Add((Step, seconds));
    }

    [Fact]
    public void It_evaluates_saves_and_writes_one_metrics_line_per_step_on_the_runs_cadence()
    {
        var run = new Scripted(_root, 7, step => (2.0 - step * 0.1, 1.0));
        var seen = new List<TrainingProgress>();

        Assert.Equal(TrainingOutcome.Completed, TrainingLoop.Run(run, secondsBefore: 100, seen.Add));

        Assert.Equal([2, 4, 6, 7], run.Evaluated);
        Assert.Equal([3, 6, 7], run.Saves.Select(s => s.Step));
        Assert.All(run.Saves, s => Assert.True(s.Seconds >= 100));   // the run's time counts what it spent before
        Assert.Equal([false, false, true, false, false, true, true], seen.Select(p => p.Saved));
        string[] lines = File.ReadAllLines(Path.Combine(_root, TrainingLoop.MetricsFile));
        Assert.Equal(7, lines.Length);
        using JsonDocument last = JsonDocument.Parse(lines[^1]);
        Assert.Equal(7, last.RootElement.GetProperty("step").GetInt32());
        Assert.Equal(1.0 / 7, last.RootElement.GetProperty("valLoss").GetDouble(), 9);
        Assert.False(last.RootElement.TryGetProperty("saved", out _));
    }

    [Fact]
    public void Stop_after_pauses_and_cancellation_interrupts_each_saving_first()
    {
        var paused = new Scripted(null, 10, _ => (1, 1));
        Assert.Equal(TrainingOutcome.Paused, TrainingLoop.Run(paused, 0, stopAfter: 4));
        Assert.Equal((4, 4), (paused.Step, paused.Saves[^1].Step));

        using var stop = new CancellationTokenSource();
        var interrupted = new Scripted(null, 10, _ => (1, 1));
        Assert.Equal(TrainingOutcome.Interrupted, TrainingLoop.Run(interrupted, 0, p => { if (p.Step == 5) stop.Cancel(); }, stop.Token));
        Assert.Equal((5, 5), (interrupted.Step, interrupted.Saves[^1].Step));
    }

    [Fact]
    public void A_spent_time_budget_ends_the_run_as_completed_and_saved()
    {
        var run = new Scripted(null, 10, _ => (1, 1)) { MaxMinutes = 1 };
        Assert.Equal(TrainingOutcome.Completed, TrainingLoop.Run(run, secondsBefore: 61));
        Assert.Equal(0, run.Step);
        Assert.Single(run.Saves);
    }

    [Fact]
    public void A_non_finite_loss_stops_at_once_and_non_finite_gradients_stop_after_the_limit_in_a_row()
    {
        var nanLoss = new Scripted(null, 10, step => (step == 3 ? double.NaN : 1, 1));
        Assert.Equal(TrainingOutcome.Diverged, TrainingLoop.Run(nanLoss, 0));
        Assert.Equal(4, nanLoss.Saves[^1].Step);

        // isolated non-finite gradients are skipped steps (the run goes on); the limit in a row stops it
        var spikes = new Scripted(_root, 10, step => (1, step % 3 == 1 ? double.PositiveInfinity : 1));
        Assert.Equal(TrainingOutcome.Completed, TrainingLoop.Run(spikes, 0, nonFiniteLimit: 2));
        Assert.Contains("\"gradNorm\":\"Infinity\"", File.ReadAllLines(Path.Combine(_root, TrainingLoop.MetricsFile))[1]);   // skipped, and said
        var stuck = new Scripted(null, 10, step => (1, step >= 2 ? double.NaN : 1));
        Assert.Equal(TrainingOutcome.Diverged, TrainingLoop.Run(stuck, 0, nonFiniteLimit: 2));
        Assert.Equal(4, stuck.Step);
    }
}
