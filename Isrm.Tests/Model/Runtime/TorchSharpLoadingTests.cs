namespace Isrm.Tests.Model.Runtime;

/// <summary>TorchSharp's natives load after a plain build on this OS and do real work.</summary>
public class TorchSharpLoadingTests
{
    [Fact]
    public void A_matrix_product_gives_the_hand_computed_result()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Backward_gives_the_analytic_gradient()
    {
        using var x = tensor(new float[] { 1f, -2f, 3f }, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();
        Assert.Equal(new float[] { 2f, -4f, 6f }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void An_AdamW_step_lowers_a_quadratic_loss()
    {
        torch.manual_seed(1);
        using var linear = nn.Linear(4, 1);
        var optimizer = optim.AdamW(linear.parameters(), lr: 0.05, weight_decay: 0.01);
        using var input = ones(8, 4);
        using var target = full(8, 1, 3f);

        float Loss() { using var l = nn.functional.mse_loss(linear.forward(input), target); return l.item<float>(); }
        float before = Loss();
        for (int i = 0; i < 20; i++)
        {
            optimizer.zero_grad();
            using var loss = nn.functional.mse_loss(linear.forward(input), target);
            loss.backward();
            optimizer.step();
        }
        Assert.True(Loss() < before * 0.5f, $"loss {Loss()} did not fall below half of {before}");
    }
}
