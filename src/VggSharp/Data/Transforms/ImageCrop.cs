namespace VggSharp.Data.Transforms;

/// <summary>Cuts a rectangle out of an 8-bit image.</summary>
public static class ImageCrop
{
    /// <summary>The pixels of <paramref name="region"/>, which must lie inside the image.</summary>
    public static DecodedImage Crop(DecodedImage image, PixelRegion region)
    {
        region.CheckInside(image.Width, image.Height);
        int c = image.Channels, rowBytes = region.Width * c;
        var pixels = new byte[region.Height * rowBytes];
        for (int y = 0; y < region.Height; y++)
            image.Pixels.AsSpan(((region.Y + y) * image.Width + region.X) * c, rowBytes).CopyTo(pixels.AsSpan(y * rowBytes, rowBytes));
        return new DecodedImage(region.Width, region.Height, c, pixels);
    }
}
