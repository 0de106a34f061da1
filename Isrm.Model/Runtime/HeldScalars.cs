namespace Isrm.Model.Runtime;

/// <summary>
/// Tensor arithmetic whose scalars stay alive until libtorch has read them. TorchSharp 0.107 makes a temporary
/// <see cref="Scalar"/> for every .NET number in an operator (<c>t * 0.5</c>, <c>1 + t</c>, <c>clamp(0, n)</c>) and
/// for the <c>alpha = 1</c> of every tensor addition (<c>a + b</c>, <c>add_</c>) — and inside some of its own methods
/// (<c>square()</c> is <c>pow(2)</c>) —, then hands libtorch only its native
/// pointer: nothing holds the object during the call, so a garbage collection started by another thread can finalize it
/// and free its memory before libtorch reads it. The call then fails ("Expected false to be true" from
/// <c>c10::Scalar::toFloat</c>) or reads another value. It happened in the web app when two checkpoints generated at once
/// (about one compare run in ten); <c>HeldScalarTests</c> provokes it in seconds. Code that runs beside other threads —
/// every model forward the server runs — uses these helpers: each holds its scalars in a <c>using</c> (or a static field)
/// past the native call.
/// </summary>
public static class HeldScalars
{
    private static readonly Scalar One = 1.ToScalar();   // alpha of every addition, held for the process
    private static readonly Scalar NegativeInfinityValue = float.NegativeInfinity.ToScalar();
    private static readonly Scalar Two = 2.ToScalar();

    /// <summary>a², elementwise (TorchSharp's <c>square()</c> is <c>pow(2)</c> with a temporary scalar).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(Two);

    /// <summary>a + b.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a += b, in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary>a + alpha · b.</summary>
    public static Tensor PlusScaled(this Tensor a, Tensor b, double alpha)
    {
        using Scalar s = alpha.ToScalar();
        return a.add(b, s);
    }

    /// <summary>a + value (a floating tensor).</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using Scalar s = value.ToScalar();
        return a.add(s, One);
    }

    /// <summary>a += value, in place (a floating tensor).</summary>
    public static Tensor PlusInPlace(this Tensor a, double value)
    {
        using Scalar s = value.ToScalar();
        return a.add_(s, One);
    }

    /// <summary>a + value for an integer tensor (stays integer).</summary>
    public static Tensor Plus(this Tensor a, long value)
    {
        using Scalar s = value.ToScalar();
        return a.add(s, One);
    }

    /// <summary>value − a.</summary>
    public static Tensor SubtractedFrom(this Tensor a, double value)
    {
        using Scalar s = value.ToScalar();
        using Tensor negated = a.neg();
        return negated.add(s, One);
    }

    /// <summary>a · value.</summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using Scalar s = value.ToScalar();
        return a.mul(s);
    }

    /// <summary>a / value.</summary>
    public static Tensor DividedBy(this Tensor a, double value)
    {
        using Scalar s = value.ToScalar();
        return a.div(s);
    }

    /// <summary>a clamped into [min, max] (an integer tensor).</summary>
    public static Tensor Between(this Tensor a, long min, long max)
    {
        using Scalar lo = min.ToScalar(), hi = max.ToScalar();
        return a.clamp(lo, hi);
    }

    /// <summary>max(a, min).</summary>
    public static Tensor AtLeast(this Tensor a, double min)
    {
        using Scalar s = min.ToScalar();
        return a.clamp_min(s);
    }

    /// <summary>min(a, max).</summary>
    public static Tensor AtMost(this Tensor a, double max)
    {
        using Scalar s = max.ToScalar();
        return a.clamp_max(s);
    }

    /// <summary>a ≤ value, elementwise (an integer tensor).</summary>
    public static Tensor NotAbove(this Tensor a, long value)
    {
        using Scalar s = value.ToScalar();
        return a.le(s);
    }

    /// <summary>a ≥ value, elementwise (an integer tensor).</summary>
    public static Tensor NotBelow(this Tensor a, long value)
    {
        using Scalar s = value.ToScalar();
        return a.ge(s);
    }

    /// <summary>a &gt; value, elementwise.</summary>
    public static Tensor Above(this Tensor a, double value)
    {
        using Scalar s = value.ToScalar();
        return a.gt(s);
    }

    /// <summary>a with −∞ where <paramref name="mask"/> is true.</summary>
    public static Tensor MinusInfinityWhere(this Tensor a, Tensor mask) => a.masked_fill(mask, NegativeInfinityValue);

    /// <summary>a + b ⊙ c, in place.</summary>
    public static Tensor PlusProductInPlace(this Tensor a, Tensor b, Tensor c) => a.addcmul_(b, c, One);

    /// <summary>a + b ⊙ c.</summary>
    public static Tensor PlusProduct(this Tensor a, Tensor b, Tensor c) => a.addcmul(b, c, One);

    /// <summary>start, start + 1, …, stop − 1.</summary>
    public static Tensor Range(long start, long stop, ScalarType type, Device? device = null)
    {
        using Scalar from = start.ToScalar(), to = stop.ToScalar(), step = 1L.ToScalar();
        return arange(from, to, step, dtype: type, device: device);
    }

    /// <summary>base^exponent, elementwise (the base a held 0-dimensional float32 tensor, as the implicit conversion makes it).</summary>
    public static Tensor Power(float @base, Tensor exponent)
    {
        using Tensor b = tensor(@base);
        return pow(b, exponent);
    }
}
