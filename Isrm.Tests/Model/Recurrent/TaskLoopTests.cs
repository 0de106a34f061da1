using TorchSharp.Modules;

namespace Isrm.Tests.Model.Recurrent;

/// <summary>The task trainers' shared loop: caps, warm-up and the stop on a non-finite loss or gradient.</summary>
public class TaskLoopTests
{
    [Fact]
    public void A_quadratic_is_minimised_and_the_step_cap_holds()
    {
        var w = new Parameter(tensor(new[] { 3f, -2f }));
        var outcome = TaskLoop.Run([w], _ => w.pow(2).sum(), steps: 300, minutes: 5, learningRate: 0.05, warmup: 10, seed: 1);
        Assert.Equal(300, outcome.Steps);
        Assert.False(outcome.Diverged);
        Assert.True(w.abs().max().item<float>() < 0.5f, $"w = {string.Join(", ", w.data<float>().ToArray())}");
        Assert.True(outcome.FinalLoss < 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_non_finite_loss_or_gradient_stops_before_the_weights_change(bool inGradient)
    {
        var w = new Parameter(tensor(new[] { 1f, 2f }));
        int calls = 0;
        var outcome = TaskLoop.Run([w], _ =>
        {
            calls++;
            if (calls < 4) return w.pow(2).sum();
            // Step 4: either the loss itself is NaN, or it is finite and its gradient is not (d sqrt(x)/dx at 0 = ∞).
            return inGradient ? (w * 0).sum().sqrt() : w.sum() * float.NaN;
        }, steps: 100, minutes: 5, learningRate: 0.01, warmup: 1, seed: 1);
        Assert.True(outcome.Diverged);
        Assert.Equal(3, outcome.Steps);
        Assert.True(w.isfinite().all().item<bool>());
        Assert.True(double.IsFinite(outcome.FinalLoss));
    }
}
