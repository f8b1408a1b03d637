namespace VggSharp.Data.Transforms;

/// <summary>
/// An image with float samples in the 0-255 scale, height x width x channels interleaved like <see cref="DecodedImage"/>:
/// what resampling produces before rounding, so evaluation can cut many crops from one rescale without losing precision.
/// </summary>
public sealed class FloatImage
{
    /// <summary>Wraps samples; checks that the sizes agree.</summary>
    public FloatImage(int width, int height, int channels, float[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"Image size {width}x{height} is not positive.");
        if (channels is not (1 or 3)) throw new ArgumentException($"Images have 1 or 3 channels, got {channels}.");
        if ((long)width * height * channels != pixels.Length)
            throw new ArgumentException($"{pixels.Length} samples do not hold a {width}x{height}x{channels} image.");
        (Width, Height, Channels, Pixels) = (width, height, channels, pixels);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 (grayscale) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>The samples, (y * Width + x) * Channels + c, in [0, 255].</summary>
    public float[] Pixels { get; }
}
