namespace VggSharp.Data.Transforms;

/// <summary>
/// The paper's isotropic rescaling: the smallest side becomes S (the training scale) or Q (the test scale) and the
/// other keeps the aspect ratio, rounded to the nearest integer (halves up) and at least 1. torchvision truncates
/// instead, so its long side can be one pixel shorter; 640x480 at S = 256 is 341x256 under both.
/// </summary>
public static class IsotropicRescale
{
    /// <summary>The size of a <paramref name="width"/> x <paramref name="height"/> image whose smallest side becomes <paramref name="shortSide"/>.</summary>
    public static (int Width, int Height) SizeFor(int width, int height, int shortSide)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} is not positive.");
        if (shortSide <= 0) throw new ArgumentOutOfRangeException(nameof(shortSide), $"The smallest side must be positive, got {shortSide}.");
        bool landscape = width >= height;
        int small = landscape ? height : width, large = landscape ? width : height;
        // Integer arithmetic: round(large * S / small) with halves up, exactly.
        long scaled = Math.Max(1, (2L * large * shortSide + small) / (2L * small));
        if (scaled > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(shortSide), $"Rescaling {width}x{height} to a smallest side of {shortSide} overflows.");
        return landscape ? ((int)scaled, shortSide) : (shortSide, (int)scaled);
    }

    /// <summary>Rescales so the smallest side is <paramref name="shortSide"/>, rounding to 8 bits.</summary>
    public static DecodedImage Rescale(DecodedImage image, int shortSide, ResampleFilter filter)
    {
        var (width, height) = SizeFor(image.Width, image.Height, shortSide);
        return Resampler.Resize(image, width, height, filter);
    }

    /// <summary>Rescales so the smallest side is <paramref name="shortSide"/>, keeping float samples.</summary>
    public static FloatImage RescaleToFloat(DecodedImage image, int shortSide, ResampleFilter filter)
    {
        var (width, height) = SizeFor(image.Width, image.Height, shortSide);
        return Resampler.ResizeToFloat(image, width, height, filter);
    }
}
