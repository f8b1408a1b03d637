namespace VggSharp.Localisation;

/// <summary>
/// The regression target the box head predicts: the paper's centre, width and height, as fractions of the network's
/// input crop, so the targets are of order 1 whatever the input size.
/// </summary>
public static class BoxEncoding
{
    /// <summary>The four values a box is encoded as.</summary>
    public const int Length = 4;

    /// <summary>Writes (centre x, centre y, width, height) / <paramref name="cropSize"/> into <paramref name="destination"/> [4].</summary>
    public static void Encode(BoundingBox box, int cropSize, Span<float> destination)
    {
        destination[0] = (float)(box.CentreX / cropSize);
        destination[1] = (float)(box.CentreY / cropSize);
        destination[2] = (float)(box.Width / cropSize);
        destination[3] = (float)(box.Height / cropSize);
    }

    /// <summary>The box that <paramref name="encoded"/> [4] describes in a crop of <paramref name="cropSize"/> pixels (negative sizes taken as 0).</summary>
    public static BoundingBox Decode(ReadOnlySpan<float> encoded, int cropSize) =>
        BoundingBox.FromCentre(encoded[0] * (double)cropSize, encoded[1] * (double)cropSize,
            Math.Max(0, encoded[2]) * (double)cropSize, Math.Max(0, encoded[3]) * (double)cropSize);
}
