namespace Isrm.Tests.Model.Refinement;

/// <summary>Every refinement step reports top tokens, confidence, entropy, delta, residual, KL, α and halt probability, consistently.</summary>
public class StepReportTests
{
    private static StepEvent[] Steps(IsrmConfig config, int loops = 6)
    {
        using LoadedCheckpoint checkpoint = TinyModels.Loaded(config);
        var request = new GenerationRequest { Prompt = "refine", K = loops, MaxTokens = 3, Temperature = 0, ReportTopTokens = 4 };
        return Generator.Generate(checkpoint, request).OfType<StepEvent>().ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Step_values_are_finite_and_consistent_for_the_iterate_solver(int latent)
    {
        IsrmConfig config = TinyModels.Config(latent);
        StepEvent[] steps = Steps(config);
        Assert.Equal(18, steps.Length);
        foreach (StepEvent s in steps)
        {
            foreach (float v in new[] { s.Confidence, s.Entropy, s.Delta, s.Residual, s.KlToPrevious, s.Alpha, s.HaltProbability })
                Assert.True(float.IsFinite(v), $"step {s.Step}: non-finite value in {s}");
            Assert.Equal(4, s.TopTokens.Count);
            Assert.Equal(s.TopTokens[0].Prob, s.Confidence);
            Assert.True(s.TopTokens.Zip(s.TopTokens.Skip(1)).All(p => p.First.Prob >= p.Second.Prob), "top tokens are not in descending order");
            Assert.InRange(s.Entropy, 0f, MathF.Log(256) + 1e-3f);
            Assert.InRange(s.KlToPrevious, 0f, float.MaxValue);
            Assert.InRange(s.HaltProbability, 0f, 1f);
            Assert.Equal(AlphaSchedule.Alpha(config, s.Step), s.Alpha);
            Assert.Equal(s.Alpha * s.Residual, s.Delta, 1e-4f * Math.Max(1f, s.Residual));
            Assert.True(s.Residual > 0);
        }
    }

    [Fact]
    public void The_entropy_equals_minus_sum_p_log_p_of_the_reported_distribution_bounds()
    {
        // A confident step cannot have more entropy than a uniform one; a peaked distribution has low entropy.
        StepEvent[] steps = Steps(TinyModels.Config());
        foreach (StepEvent s in steps)
        {
            float rest = 1 - s.TopTokens.Sum(t => t.Prob);
            Assert.InRange(rest, -1e-4f, 1f);
            double lowerBound = -s.TopTokens.Sum(t => t.Prob * Math.Log(t.Prob));   // the top tokens' own share of the entropy
            Assert.True(s.Entropy >= lowerBound - 1e-3, $"entropy {s.Entropy} below its top tokens' share {lowerBound}");
        }
    }

    [Fact]
    public void The_anderson_solver_reports_the_actual_change_of_the_state_as_delta()
    {
        IsrmConfig config = TinyModels.Config() with { Solver = SolverKind.Anderson, StateNorm = true };
        using var model = TinyModels.Create(config);
        using var inference = TinyModels.Inference();
        Tensor x = model.Embed(tensor(new long[] { 1, 2, 3, 4, 5 }, new long[] { 1, 5 }));
        Tensor? previous = model.InitialState(1, 5).Y.clone();
        int count = 0;
        foreach (RefinementStep step in Refiner.Run(model, x, new RefinementOptions { K = 5 }))
        {
            float expected = (step.Y - previous).pow(2).sum(-1).sqrt().max().item<float>();
            float reported = step.Delta!.max().item<float>();
            Assert.Equal(expected, reported, 1e-4f * Math.Max(1, expected));
            Assert.Equal(1f, step.Alpha);
            Assert.True(float.IsFinite(step.Residual!.sum().item<float>()));
            previous = step.Y.clone();
            count++;
        }
        Assert.Equal(5, count);
    }
}
