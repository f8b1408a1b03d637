namespace VggSharp.Data.Transforms;

/// <summary>
/// Where the paper's test-time crops go in an image rescaled to Q (section 3.2): the centre crop, and the regular
/// grid of multi-crop evaluation (5x5 crops, each also flipped, 150 over three scales). Offsets are rounded to
/// the nearest integer with halves to even, like Python's round in torchvision's CenterCrop.
/// </summary>
public static class EvaluationCrops
{
    /// <summary>The <paramref name="size"/> x <paramref name="size"/> crop at the centre of a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public static PixelRegion Centre(int width, int height, int size)
    {
        CheckFits(width, height, size);
        return new PixelRegion(Offset(width - size, 1, 2), Offset(height - size, 1, 2), size, size);
    }

    /// <summary>
    /// The <paramref name="count"/> x <paramref name="count"/> grid of <paramref name="size"/>-pixel crops, row by row:
    /// offsets evenly spaced from 0 to width - size and from 0 to height - size, so the corners are covered.
    /// </summary>
    public static PixelRegion[] Grid(int width, int height, int size, int count = 5)
    {
        CheckFits(width, height, size);
        if (count < 1 || count > 64) throw new ArgumentOutOfRangeException(nameof(count), $"The grid has 1 to 64 crops per side, got {count}.");
        var crops = new PixelRegion[count * count];
        for (int row = 0; row < count; row++)
            for (int column = 0; column < count; column++)
                crops[row * count + column] = count == 1
                    ? Centre(width, height, size)
                    : new PixelRegion(Offset(width - size, column, count - 1), Offset(height - size, row, count - 1), size, size);
        return crops;
    }

    private static int Offset(int range, int step, int steps) => (int)Math.Round((double)range * step / steps, MidpointRounding.ToEven);

    private static void CheckFits(int width, int height, int size)
    {
        if (size < 1 || size > width || size > height)
            throw new ArgumentOutOfRangeException(nameof(size), $"A {size}x{size} crop does not fit a {width}x{height} image.");
    }
}
