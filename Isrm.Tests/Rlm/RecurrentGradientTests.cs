using Isrm.Model.Refinement;
using static TorchSharp.torch;

namespace Isrm.Tests.Rlm;

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
        foreach (RefinementStep step in Refiner.Run(model, model.Embed(tokens), new RefinementOptions { Loops = 1 }))
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
}
