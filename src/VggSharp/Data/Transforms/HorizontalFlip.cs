namespace VggSharp.Data.Transforms;

/// <summary>Mirrors an 8-bit image left to right (the paper's random horizontal flip).</summary>
public static class HorizontalFlip
{
    /// <summary>A new image whose column x is the source's column Width - 1 - x.</summary>
    public static DecodedImage Apply(DecodedImage image)
    {
        int w = image.Width, c = image.Channels;
        var pixels = new byte[image.Pixels.Length];
        for (int y = 0; y < image.Height; y++)
        {
            ReadOnlySpan<byte> source = image.Pixels.AsSpan(y * w * c, w * c);
            Span<byte> target = pixels.AsSpan(y * w * c, w * c);
            for (int x = 0; x < w; x++) source.Slice((w - 1 - x) * c, c).CopyTo(target.Slice(x * c, c));
        }
        return new DecodedImage(w, image.Height, c, pixels);
    }
}
