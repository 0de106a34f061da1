namespace Isrm.Tests.Model.Recurrent;

/// <summary>The common trainer trains every recurrent family (K = 1, backprop through the token loop).</summary>
public class RecurrentTrainingTests
{
    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void A_few_training_steps_lower_the_loss(string family)
    {
        using var corpus = new TinyCorpus();
        var options = new TrainingOptions
        {
            Corpus = corpus.Directory, Out = corpus.Out, Steps = 25, BatchSize = 4, Context = 24, LearningRate = 3e-3,
            WarmupSteps = 2, EvalEvery = 25, EvalWindows = 2, SaveEvery = 100, ValidationFraction = 0.25,
        };
        using (Trainer trainer = Trainer.Start(RecurrentModels.Config(family), options, "isrm train --family " + family))
            Assert.Equal(TrainingOutcome.Completed, trainer.Run());

        List<double> losses = TrainingMetrics.Of(corpus.Out, "trainLoss");
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average() - 0.3, $"{family}: {losses[0]:F3} → {losses[^1]:F3}");
        Assert.Equal(family, Checkpoint.Inspect(corpus.Out).Config.Family.Kebab());
    }
}
