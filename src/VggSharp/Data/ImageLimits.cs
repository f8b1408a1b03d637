namespace VggSharp.Data;

/// <summary>
/// Size caps checked before a decoder allocates, so a hostile header cannot make it ask for gigabytes.
/// They are far above any training image (ImageNet's largest are a few thousand pixels a side).
/// </summary>
internal static class ImageLimits
{
    /// <summary>The largest width or height accepted.</summary>
    public const int MaxSide = 1 << 14;

    /// <summary>The largest width x height accepted: 64 Mpixel, 192 MB as RGB.</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>The largest image file read into memory.</summary>
    public const long MaxFileBytes = 1L << 28;

    /// <summary>Checks a decoded size against the caps; the reason is null when it is acceptable.</summary>
    public static string? CheckSize(long width, long height)
    {
        if (width <= 0 || height <= 0) return $"image size {width}x{height} is not positive";
        if (width > MaxSide || height > MaxSide) return $"image size {width}x{height} exceeds {MaxSide} pixels a side";
        if (width * height > MaxPixels) return $"image size {width}x{height} exceeds {MaxPixels} pixels";
        return null;
    }
}
