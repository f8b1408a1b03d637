using VggSharp.Data;
using Xunit;

namespace VggSharp.Tests.Data;

/// <summary>The TurboJPEG decoder against PIL (which uses the same libjpeg-turbo on Debian), its scaling and its refusals.</summary>
public class JpegDecoderTests
{
    // Debian's PIL links the same libjpeg-turbo with the same defaults (accurate integer IDCT, fancy upsampling), and
    // the measured difference is zero at full size and at 1/4; a tolerance would only hide a change in that.
    private const int Tolerance = 0;

    [Theory]
    [InlineData("jpeg/chelsea_444_q90.jpg", 3)]
    [InlineData("jpeg/chelsea_progressive.jpg", 3)]
    [InlineData("jpeg/camera_gray.jpg", 1)]
    public void DecodesLikePil(string fixture, int channels)
    {
        DecodedImage image = JpegDecoder.Decode(ImageFixtures.Bytes(fixture), fixture);
        DecodedImage pil = PngDecoder.Decode(ImageFixtures.Bytes(fixture.Replace(".jpg", ".expected.png")), "expected");
        Assert.Equal(channels, image.Channels);
        AssertClose(pil, image);
    }

    [Fact]
    public void ScalesInTheDctDomainToTheSmallestSizeAtLeastTheHint()
    {
        byte[] jpeg = ImageFixtures.Bytes("jpeg/astronaut_512_q75.jpg");
        Assert.Equal((512, 512), Size(JpegDecoder.Decode(jpeg, "a.jpg")));
        Assert.Equal((128, 128), Size(JpegDecoder.Decode(jpeg, "a.jpg", shortSideHint: 128))); // 1/4
        Assert.Equal((192, 192), Size(JpegDecoder.Decode(jpeg, "a.jpg", shortSideHint: 129))); // 3/8
        Assert.Equal((64, 64), Size(JpegDecoder.Decode(jpeg, "a.jpg", shortSideHint: 1))); // 1/8, the smallest
        Assert.Equal((512, 512), Size(JpegDecoder.Decode(jpeg, "a.jpg", shortSideHint: 500))); // 7/8 gives 448 < 500
        Assert.Equal((512, 512), Size(JpegDecoder.Decode(jpeg, "a.jpg", shortSideHint: 4096))); // never upscaled

        DecodedImage quarter = JpegDecoder.Decode(jpeg, "a.jpg", shortSideHint: 128);
        AssertClose(PngDecoder.Decode(ImageFixtures.Bytes("jpeg/astronaut_512_q75.quarter.expected.png"), "expected"), quarter);
    }

    [Theory]
    [InlineData(640, 427, 100, 1, 4)] // 107 >= 100, while 1/8 gives 54
    [InlineData(640, 427, 108, 3, 8)] // 1/4 gives 107 < 108
    [InlineData(427, 640, 54, 1, 8)] // TJSCALED rounds up: ceil(427 / 8) = 54
    [InlineData(100, 100, null, 1, 1)]
    [InlineData(100, 100, 101, 1, 1)]
    public void ChoosesTheFactorByRoundedUpShortSide(int width, int height, int? hint, int num, int denom)
    {
        (int, int)[] factors = [(2, 1), (15, 8), (1, 1), (7, 8), (3, 4), (5, 8), (1, 2), (3, 8), (1, 4), (1, 8)];
        Assert.Equal((num, denom), JpegScaling.Choose(width, height, hint, factors));
    }

    [Fact]
    public void RefusesTruncatedFiles()
    {
        var e = Assert.Throws<ImageFormatException>(() => JpegDecoder.Decode(ImageFixtures.Bytes("real/truncated.jpg"), "truncated.jpg"));
        Assert.StartsWith("truncated.jpg: JPEG", e.Message);

        // Cut inside the entropy-coded data: libjpeg would fill the rest with grey and only warn.
        byte[] jpeg = ImageFixtures.Bytes("jpeg/chelsea_444_q90.jpg");
        foreach (int length in new[] { jpeg.Length / 2, jpeg.Length - 100, jpeg.Length - 2 })
        {
            e = Assert.Throws<ImageFormatException>(() => JpegDecoder.Decode(jpeg.AsSpan(0, length), "cut.jpg"));
            Assert.Contains("damaged", e.Message);
        }
    }

    [Fact]
    public void EveryTruncationOfASmallFileIsRefusedAndChangedBytesNeverCrash()
    {
        byte[] jpeg = ImageFixtures.Bytes("jpeg/camera_gray.jpg");
        for (int length = 0; length < jpeg.Length; length += 7)
        {
            var e = Record.Exception(() => JpegDecoder.Decode(jpeg.AsSpan(0, length), "t.jpg"));
            Assert.True(e is ImageFormatException, $"length {length}: {e?.GetType().Name ?? "decoded"} {e?.Message}");
        }
        var random = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] changed = (byte[])jpeg.Clone();
            changed[random.Next(changed.Length)] ^= (byte)(1 + random.Next(255));
            var e = Record.Exception(() => JpegDecoder.Decode(changed, "c.jpg"));
            Assert.True(e is null or ImageFormatException, $"trial {trial}: {e?.GetType().Name} {e?.Message}");
        }
    }

    [Fact]
    public void RefusesCmyk()
    {
        var e = Assert.Throws<ImageFormatException>(() => JpegDecoder.Decode(ImageFixtures.Bytes("jpeg/cmyk.jpg"), "cmyk.jpg"));
        Assert.Contains("CMYK", e.Message);
    }

    [Fact]
    public void DecodesOnManyThreadsAtOnce()
    {
        byte[] jpeg = ImageFixtures.Bytes("jpeg/chelsea_444_q90.jpg");
        string expected = ImageFixtures.Sha256(JpegDecoder.Decode(jpeg, "c.jpg"));
        var hashes = new string[32];
        Parallel.For(0, hashes.Length, i => hashes[i] = ImageFixtures.Sha256(JpegDecoder.Decode(jpeg, "c.jpg", i % 2 == 0 ? null : 150)));
        Assert.All(hashes.Where((_, i) => i % 2 == 0), h => Assert.Equal(expected, h));
    }

    private static (int, int) Size(DecodedImage image) => (image.Width, image.Height);

    private static void AssertClose(DecodedImage expected, DecodedImage actual)
    {
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels));
        int worst = 0;
        for (int i = 0; i < actual.Pixels.Length; i++) worst = Math.Max(worst, Math.Abs(actual.Pixels[i] - expected.Pixels[i]));
        Assert.True(worst <= Tolerance, $"largest difference from PIL: {worst}");
    }
}
