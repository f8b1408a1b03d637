using VggSharp.Data.Transforms;

namespace VggSharp.Localisation;

/// <summary>
/// Moves boxes with the images they belong to: through the isotropic rescale, the crop and the flip of a training
/// sample (<see cref="AugmentationChoice"/>), or of a test-time window, and back again.
/// </summary>
public static class BoxGeometry
{
    /// <summary>
    /// Where <paramref name="box"/>, in a <paramref name="width"/> x <paramref name="height"/> image, lands in the crop of
    /// the image rescaled to the smallest side <paramref name="scale"/>: rescaled, moved to the crop's origin, clipped
    /// to the crop, and mirrored when the crop is. The result is in the crop's pixels (possibly empty when the object
    /// lies outside the crop).
    /// </summary>
    public static BoundingBox ToCrop(BoundingBox box, int width, int height, int scale, PixelRegion crop, bool flipped)
    {
        var (w, h) = IsotropicRescale.SizeFor(width, height, scale);
        var inCrop = box.Scaled((double)w / width, (double)h / height).Translated(-crop.X, -crop.Y).ClipTo(crop.Width, crop.Height);
        return flipped ? inCrop.FlippedHorizontally(crop.Width) : inCrop;
    }

    /// <summary>Where <paramref name="box"/> lands in the training crop <paramref name="choice"/> describes (see <see cref="ToCrop(BoundingBox, int, int, int, PixelRegion, bool)"/>).</summary>
    public static BoundingBox ToCrop(BoundingBox box, int width, int height, AugmentationChoice choice) =>
        ToCrop(box, width, height, choice.Scale, choice.Crop, choice.Flipped);

    /// <summary>
    /// The inverse of <see cref="ToCrop(BoundingBox, int, int, int, PixelRegion, bool)"/> without the clipping: a box in
    /// the crop's pixels back in the original <paramref name="width"/> x <paramref name="height"/> image.
    /// </summary>
    public static BoundingBox FromCrop(BoundingBox box, int width, int height, int scale, PixelRegion crop, bool flipped)
    {
        var (w, h) = IsotropicRescale.SizeFor(width, height, scale);
        var unflipped = flipped ? box.FlippedHorizontally(crop.Width) : box;
        return unflipped.Translated(crop.X, crop.Y).Scaled((double)width / w, (double)height / h);
    }
}
