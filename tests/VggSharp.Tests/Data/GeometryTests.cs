using VggSharp.Data;
using VggSharp.Data.Transforms;
using Xunit;

namespace VggSharp.Tests.Data;

public class GeometryTests
{
    [Theory]
    [InlineData(640, 480, 256, 341, 256)]
    [InlineData(480, 640, 256, 256, 341)]
    [InlineData(500, 375, 256, 341, 256)] // 341.33
    [InlineData(300, 200, 256, 384, 256)]
    [InlineData(3, 2, 5, 8, 5)]           // 7.5 rounds up
    [InlineData(256, 256, 384, 384, 384)]
    [InlineData(1000, 1, 1, 1000, 1)]
    [InlineData(1, 1000, 1, 1, 1000)]
    [InlineData(1000, 3, 1, 333, 1)]
    [InlineData(3, 1000, 1, 1, 333)]
    public void RescaleMakesTheSmallestSideS(int width, int height, int s, int expectedWidth, int expectedHeight) =>
        Assert.Equal((expectedWidth, expectedHeight), IsotropicRescale.SizeFor(width, height, s));

    [Fact]
    public void RescaleKeepsAtLeastOnePixel() => Assert.Equal((1, 1), IsotropicRescale.SizeFor(1, 1, 1));

    [Fact]
    public void RescaleRefusesNonPositiveSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IsotropicRescale.SizeFor(10, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IsotropicRescale.SizeFor(0, 10, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => IsotropicRescale.SizeFor(int.MaxValue, 1, 2));
    }

    [Fact]
    public void RescaledImageHasTheComputedSize()
    {
        var image = ResamplerTests.Noise(64, 48, 3, seed: 1);
        var rescaled = IsotropicRescale.Rescale(image, 32, ResampleFilter.Bilinear);
        Assert.Equal((43, 32, 3), (rescaled.Width, rescaled.Height, rescaled.Channels));
    }

    [Fact]
    public void CropCopiesExactlyTheRegion()
    {
        var image = Indexed(7, 5, 3);
        var crop = ImageCrop.Crop(image, new PixelRegion(2, 1, 4, 3));
        Assert.Equal((4, 3), (crop.Width, crop.Height));
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(image.Pixels[((y + 1) * 7 + x + 2) * 3 + c], crop.Pixels[(y * 4 + x) * 3 + c]);
    }

    [Theory]
    [InlineData(-1, 0, 2, 2)]
    [InlineData(0, -1, 2, 2)]
    [InlineData(6, 0, 2, 2)]
    [InlineData(0, 4, 2, 2)]
    [InlineData(0, 0, 0, 2)]
    [InlineData(0, 0, 2, 0)]
    [InlineData(0, 0, 8, 1)]
    [InlineData(int.MaxValue, 0, 2, 2)]
    public void CropOutsideTheImageIsRefused(int x, int y, int w, int h) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCrop.Crop(Indexed(7, 5, 1), new PixelRegion(x, y, w, h)));

    [Fact]
    public void WholeImageCropIsACopy()
    {
        var image = Indexed(7, 5, 1);
        Assert.Equal(image.Pixels, ImageCrop.Crop(image, new PixelRegion(0, 0, 7, 5)).Pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void FlipMirrorsColumnsAndKeepsChannelOrder(int channels)
    {
        var image = Indexed(5, 3, channels);
        var flipped = HorizontalFlip.Apply(image);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++)
                for (int c = 0; c < channels; c++)
                    Assert.Equal(image.Pixels[(y * 5 + 4 - x) * channels + c], flipped.Pixels[(y * 5 + x) * channels + c]);
        Assert.Equal(image.Pixels, HorizontalFlip.Apply(flipped).Pixels);
    }

    /// <summary>Each sample holds its own index (mod 256), so any misplaced copy shows.</summary>
    internal static DecodedImage Indexed(int width, int height, int channels) =>
        new(width, height, channels, Enumerable.Range(0, width * height * channels).Select(i => (byte)i).ToArray());
}
