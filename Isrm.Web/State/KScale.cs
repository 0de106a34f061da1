namespace Isrm.Web.State;

/// <summary>
/// The K slider's logarithmic scale: position p is K = 2^(p / 100), so 1, 2, 4 … are evenly spaced; the last
/// position is the server's largest K.
/// </summary>
public static class KScale
{
    public static int SliderMax(int maxK) => ToSlider(maxK, maxK);

    public static int FromSlider(int position, int maxK) =>
        Math.Clamp((int)Math.Round(Math.Pow(2, Math.Clamp(position, 0, SliderMax(maxK)) / 100.0)), 1, maxK);

    public static int ToSlider(int k, int maxK) => (int)Math.Round(Math.Log2(Math.Clamp(k, 1, Math.Max(1, maxK))) * 100);
}
