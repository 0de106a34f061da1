namespace Isrm.Model.Runtime;

/// <summary>
/// Autocast-style mixed precision for this thread (TorchSharp 0.107 has no autocast): inside <see cref="Enable"/>,
/// every weight matmul casts its input and its float32 master weight to bfloat16 and returns float32, so that norms,
/// softmax, the rotary tables, the residual stream, gradients and the optimizer all stay in float32.
/// </summary>
public static class MixedPrecision
{
    [ThreadStatic] private static bool _bfloat16;

    public static bool IsActive => _bfloat16;

    /// <summary>Matmuls on this thread run in bfloat16 until the returned scope is disposed.</summary>
    public static IDisposable Enable() => new Scope();

    /// <summary>x (…, in) · weightᵀ (out, in) [+ bias] → (…, out), in bfloat16 when enabled.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (!_bfloat16) return nn.functional.linear(x, weight, bias);
        using var scope = NewDisposeScope();
        Tensor product = nn.functional.linear(x.to(ScalarType.BFloat16), weight.to(ScalarType.BFloat16), bias?.to(ScalarType.BFloat16));
        return product.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether bfloat16 matmuls pay here: times the products of a training step of the default model (forward
    /// 2048 × 144 · 144 × 512, weight gradient 512 × 2048 · 2048 × 144) both ways on this thread, best of three.
    /// Usable when bfloat16 runs and is at least 1.2× faster; the sentence says what was measured.
    /// </summary>
    public static (bool Usable, string Reason) ProbeBFloat16()
    {
        try
        {
            using var scope = NewDisposeScope();
            Tensor a = randn(2048, 144), w = randn(512, 144), g = randn(512, 2048), at = randn(144, 2048);
            double Seconds(ScalarType type)
            {
                Tensor a2 = a.to(type), w2 = w.to(type), g2 = g.to(type), at2 = at.to(type);
                return Enumerable.Range(0, 3).Min(_ => Time(a2, w2) + Time(g2, at2));
            }
            double fp32 = Seconds(ScalarType.Float32), bf16 = Seconds(ScalarType.BFloat16);
            double ratio = fp32 / bf16;
            string measured = $"bfloat16 matmuls of a training step ran {ratio:F1}× the float32 speed on this CPU";
            return ratio >= 1.2 ? (true, measured) : (false, measured + ", too little to pay for the casts");
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            return (false, "bfloat16 matmuls are not available here: " + e.Message.Split('\n')[0]);
        }
    }

    // Seconds for 10 products a · wᵀ after a warm-up.
    private static double Time(Tensor a, Tensor w)
    {
        for (int i = 0; i < 2; i++) nn.functional.linear(a, w).Dispose();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 10; i++) nn.functional.linear(a, w).Dispose();
        return clock.Elapsed.TotalSeconds;
    }

    private sealed class Scope : IDisposable
    {
        private readonly bool _previous = _bfloat16;
        public Scope() => _bfloat16 = true;
        public void Dispose() => _bfloat16 = _previous;
    }
}
