namespace VggSharp.Data;

/// <summary>
/// An 8-bit image as decoders produce it: height x width x channels, interleaved, row-major, RGB order for colour
/// (alpha dropped, palettes expanded, 16-bit samples reduced to 8 bits), 1 channel for grayscale.
/// </summary>
public sealed class DecodedImage
{
    /// <summary>Wraps pixels; checks that the sizes agree.</summary>
    public DecodedImage(int width, int height, int channels, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"Image size {width}x{height} is not positive.");
        if (channels is not (1 or 3)) throw new ArgumentException($"Images have 1 or 3 channels, got {channels}.");
        if ((long)width * height * channels != pixels.Length)
            throw new ArgumentException($"{pixels.Length} bytes do not hold a {width}x{height}x{channels} image.");
        (Width, Height, Channels, Pixels) = (width, height, channels, pixels);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 (grayscale) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>The samples, (y * Width + x) * Channels + c.</summary>
    public byte[] Pixels { get; }
}
