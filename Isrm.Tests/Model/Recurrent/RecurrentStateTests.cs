namespace Isrm.Tests.Model.Recurrent;

/// <summary>A recurrent family's memory is a fixed-size state, and streaming it token by token equals one full pass.</summary>
public class RecurrentStateTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void The_state_has_the_same_size_after_8_and_after_400_tokens(string family)
    {
        using var model = RecurrentModels.Create(family);
        using var inference = inference_mode();
        RecurrentModels.AssertStateDoesNotGrow(model, output, family);
    }

    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void Streaming_token_by_token_gives_the_logits_of_one_full_pass(string family)
    {
        using var model = RecurrentModels.Create(family);
        using var inference = TinyModels.Inference();
        var options = new RefinementOptions { K = 1, EveryStepLogits = false };
        long[] ids = Enumerable.Range(0, 20).Select(i => (long)((i * 53 + 7) % 256)).ToArray();
        using var cache = new RefinementCache(model.Config, 1, model.Device);
        float maxDiff = CacheAgreement.MaxDifferenceFromFullPass(model, ids, 6, options, cache, Final);
        output.WriteLine($"{family}: max |streamed − full| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4f, $"max abs diff {maxDiff}");
    }

    [Fact]
    public void The_synchronisation_pairs_are_distinct_ordered_and_fixed_by_their_sizes()
    {
        var (left, right) = Isrm.Model.Recurrent.RlmCore.ChoosePairs(16, 40);
        var again = Isrm.Model.Recurrent.RlmCore.ChoosePairs(16, 40);
        Assert.Equal(left, again.Left);
        Assert.Equal(right, again.Right);
        Assert.Equal(40, left.Zip(right).Distinct().Count());
        Assert.All(left.Zip(right), p => Assert.True(p.First <= p.Second && p.Second < 16));
        var every = Isrm.Model.Recurrent.RlmCore.ChoosePairs(4, 10);
        Assert.Equal(10, every.Left.Zip(every.Right).Distinct().Count());
    }

    private static Tensor Final(IEnumerable<RefinementStep> steps)
    {
        Tensor? logProbs = null;
        foreach (RefinementStep step in steps)
        {
            Assert.True(step.IsLast, "a recurrent family runs one pass");
            logProbs = step.LogProbs!.alias();
        }
        return logProbs!;
    }
}
