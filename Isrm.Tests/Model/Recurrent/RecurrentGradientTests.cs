namespace Isrm.Tests.Model.Recurrent;

/// <summary>Backpropagation through the token loop reaches every parameter of every recurrent family.</summary>
public class RecurrentGradientTests
{
    [Theory]
    [MemberData(nameof(RecurrentModels.Families), MemberType = typeof(RecurrentModels))]
    public void Every_parameter_gets_a_non_zero_gradient(string family)
    {
        using var model = RecurrentModels.Create(family);
        model.train();
        using var scope = NewDisposeScope();
        Tensor tokens = randint(0, 256, new long[] { 2, 12 });
        Tensor? loss = null;
        foreach (RefinementStep step in Refiner.Run(model, model.Embed(tokens), new RefinementOptions { K = 1 }))
            loss = nn.functional.nll_loss(step.LogProbs!.reshape(-1, 256), tokens.reshape(-1));
        loss!.backward();

        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Contains(names, n => n.StartsWith("recurrent."));
        foreach (var (name, parameter) in model.named_parameters())
        {
            float g = parameter.grad?.abs().sum().item<float>() ?? 0f;
            Assert.True(g > 0, $"{family}: {name} has no gradient");
        }
    }

    [Fact]
    public void An_rlm_whose_decays_reach_1_stays_finite_forward_and_backward()
    {
        // Long recall training pushes some decays to r = sigmoid(θ) = 1.0 in float32; the normaliser (1 − r)/(1 − rⁿ) was 0/0 there.
        using var model = RecurrentModels.Create("rlm");
        model.train();
        using var scope = NewDisposeScope();
        var (_, decay) = model.named_parameters().Single(p => p.name.EndsWith("decay_logit", StringComparison.Ordinal));
        using (no_grad()) decay.fill_(30f);
        Assert.Equal(1f, sigmoid(decay).min().item<float>());
        Tensor tokens = randint(0, 256, new long[] { 2, 40 });
        Tensor? loss = null;
        foreach (RefinementStep step in Refiner.Run(model, model.Embed(tokens), new RefinementOptions { K = 1 }))
            loss = nn.functional.nll_loss(step.LogProbs!.reshape(-1, 256), tokens.reshape(-1));
        Assert.True(double.IsFinite(loss!.item<float>()));
        loss.backward();
        Assert.All(model.parameters(), p => Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>()));
    }
}
