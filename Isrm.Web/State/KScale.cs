namespace Isrm.Web.State;

/// <summary>The K slider's logarithmic scale: position 0…800 is K = 2^(position / 100), so 1, 2, 4 … 256 are evenly spaced.</summary>
public static class KScale
{
    public const int SliderMax = 800;

    public static int FromSlider(int position) =>
        Math.Clamp((int)Math.Round(Math.Pow(2, Math.Clamp(position, 0, SliderMax) / 100.0)), 1, GenerationSettings.MaxK);

    public static int ToSlider(int k) => (int)Math.Round(Math.Log2(Math.Clamp(k, 1, GenerationSettings.MaxK)) * 100);
}
