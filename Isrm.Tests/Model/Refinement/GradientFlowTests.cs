namespace Isrm.Tests.Model.Refinement;

/// <summary>The latent reaches the answer: every part of the model receives gradient from the loss.</summary>
public class GradientFlowTests
{
    [Fact]
    public void Every_parameter_group_gets_a_non_zero_gradient()
    {
        var config = TinyModels.Config(latent: 2) with { StepEmbedding = StepEmbeddingKind.Sinusoidal };
        using var model = TinyModels.Create(config);
        model.train();
        using var scope = NewDisposeScope();
        Tensor tokens = randint(0, config.VocabSize, new long[] { 2, 16 });
        Tensor x = model.Embed(tokens);
        Tensor loss = zeros(1);
        foreach (RefinementStep step in Refiner.Run(model, x, new RefinementOptions { K = 3 }))
        {
            // Cross-entropy on the last step plus a halting term, as the trainer does.
            Tensor ce = nn.functional.nll_loss(step.LogProbs!.reshape(-1, config.VocabSize), tokens.reshape(-1));
            loss = loss + step.Halt!.mean() * ce.detach();
            if (step.IsLast) loss = loss + ce;
        }
        loss.backward();

        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.abs().sum().item<float>() ?? 0f);
        Assert.True(grads["y0"] > 0, "y0");
        Assert.True(grads["z0"] > 0, "z0");
        foreach (int block in new[] { 0, 1 })
        {
            Assert.True(grads.Where(g => g.Key.StartsWith($"network.blocks.{block}.attention.")).All(g => g.Value > 0), $"block {block} attention");
            Assert.True(grads.Where(g => g.Key.StartsWith($"network.blocks.{block}.feed_forward.")).All(g => g.Value > 0), $"block {block} ffn");
            Assert.True(grads[$"network.blocks.{block}.step_scale_attn.weight"] > 0, "step_scale_attn");
            Assert.True(grads[$"network.blocks.{block}.step_scale_ffn.weight"] > 0, "step_scale_ffn");
        }
        Assert.True(grads["halt_head.weight"] > 0, "halting head");
        Assert.True(grads.Where(g => g.Key.StartsWith("latent_injection") || g.Key.StartsWith("answer_injection")).All(g => g.Value > 0));
    }
}
