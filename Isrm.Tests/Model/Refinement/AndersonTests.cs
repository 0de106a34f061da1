namespace Isrm.Tests.Model.Refinement;

/// <summary>Anderson acceleration finds the fixed point of a contractive map far faster than plain iteration.</summary>
public class AndersonTests
{
    [Fact]
    public void On_a_contractive_linear_map_the_residual_falls_below_1e_minus_6()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        // f(s) = A s + b with spectral norm 0.95: contractive, slow for plain iteration.
        Tensor q = linalg.qr(randn(16, 16, dtype: float64)).Q;
        Tensor a = q.matmul(diag(linspace(0.95, 0.1, 16, dtype: float64))).matmul(q.t());
        Tensor b = randn(16, dtype: float64);
        Tensor F(Tensor s) => s.matmul(a.t()) + b;
        double Residual(Tensor s) => (F(s) - s).norm().item<double>();

        using var mixer = new AndersonMixer(memory: 6, beta: 1f);
        Tensor anderson = zeros(1, 16, dtype: float64), plain = zeros(1, 16, dtype: float64);
        int calls = 0;
        while (Residual(anderson) >= 1e-6 && calls < 60) { anderson = mixer.Next(anderson, F(anderson)); calls++; }
        for (int i = 0; i < calls; i++) plain = F(plain);

        Assert.True(Residual(anderson) < 1e-6, $"Anderson residual {Residual(anderson)} after {calls} calls");
        Assert.True(Residual(plain) > 100 * Residual(anderson), $"plain iteration reached {Residual(plain)} with the same {calls} calls");
    }
}
