using System.IO.Compression;
using System.Text.Json;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using Xunit;

namespace VggSharp.Tests.Data;

/// <summary>
/// Resizing against PIL 9.4's own results (tests/fixtures/make_resample_fixtures.py): gradients, a checkerboard and
/// noise, grayscale and RGB, bilinear and bicubic, shrinking strongly, by non-integer factors, in one axis, enlarging.
/// Weights here are floats, PIL's 22-bit fixed point, so a sample can round the other way: max |difference| 1,
/// mean |difference| under 0.03 (the checkerboard's exact halves), mostly under 0.005.
/// </summary>
public class ResamplerTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static TheoryData<string, string, int, int> Cases()
    {
        var data = new TheoryData<string, string, int, int>();
        foreach (var c in Manifest().RootElement.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("input").GetString()!, c.GetProperty("filter").GetString()!, c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32());
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPil(string input, string filter, int width, int height)
    {
        using var manifest = Manifest();
        byte[] blob = Blob.Value;
        var source = manifest.RootElement.GetProperty("inputs").EnumerateArray().Single(i => i.GetProperty("name").GetString() == input);
        int w = source.GetProperty("width").GetInt32(), h = source.GetProperty("height").GetInt32(), channels = source.GetProperty("channels").GetInt32();
        var image = new DecodedImage(w, h, channels, blob.AsSpan(source.GetProperty("offset").GetInt32(), w * h * channels).ToArray());
        var expectedCase = manifest.RootElement.GetProperty("cases").EnumerateArray().Single(c =>
            c.GetProperty("input").GetString() == input && c.GetProperty("filter").GetString() == filter &&
            c.GetProperty("width").GetInt32() == width && c.GetProperty("height").GetInt32() == height);
        byte[] expected = blob.AsSpan(expectedCase.GetProperty("offset").GetInt32(), width * height * channels).ToArray();

        var actual = Resampler.Resize(image, width, height, filter == "bicubic" ? ResampleFilter.Bicubic : ResampleFilter.Bilinear);

        Assert.Equal((width, height, channels), (actual.Width, actual.Height, actual.Channels));
        int maxDiff = 0;
        long sumDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(actual.Pixels[i] - expected[i]);
            maxDiff = Math.Max(maxDiff, d);
            sumDiff += d;
        }
        Assert.True(maxDiff <= 1, $"max |difference| {maxDiff}");
        Assert.True(sumDiff <= expected.Length * 0.03, $"mean |difference| {(double)sumDiff / expected.Length:F4}");
    }

    [Fact]
    public void FloatResizeRoundsToTheByteResize()
    {
        var image = Noise(37, 23, 3, seed: 5);
        var bytes = Resampler.Resize(image, 17, 29, ResampleFilter.Bicubic);
        var floats = Resampler.ResizeToFloat(image, 17, 29, ResampleFilter.Bicubic);
        Assert.All(floats.Pixels, v => Assert.InRange(v, 0f, 255f));
        Assert.Equal(bytes.Pixels, floats.Pixels.Select(v => (byte)(v + 0.5f)).ToArray());
    }

    [Fact]
    public void SameSizeIsTheIdentity()
    {
        var image = Noise(19, 11, 3, seed: 6);
        foreach (var filter in new[] { ResampleFilter.Bilinear, ResampleFilter.Bicubic })
            Assert.Equal(image.Pixels, Resampler.Resize(image, 19, 11, filter).Pixels);
    }

    [Fact]
    public void RegionEqualsTheCropOfTheWholeResize()
    {
        var image = Noise(53, 41, 3, seed: 7);
        var whole = Resampler.ResizeToFloat(image, 71, 30, ResampleFilter.Bilinear);
        var region = new PixelRegion(9, 4, 20, 17);
        var part = new float[region.Width * region.Height * 3];
        Resampler.ResizeRegion(image, 71, 30, region, ResampleFilter.Bilinear, part);
        for (int y = 0; y < region.Height; y++)
            for (int x = 0; x < region.Width * 3; x++)
                Assert.Equal(whole.Pixels[((region.Y + y) * 71 + region.X) * 3 + x], part[y * region.Width * 3 + x]);
    }

    [Fact]
    public void RefusesEmptyOrOversizedOutputs()
    {
        var image = Noise(4, 4, 1, seed: 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resize(image, 0, 4, ResampleFilter.Bilinear));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.ResizeToFloat(image, 100_000, 100_000, ResampleFilter.Bilinear));
    }

    internal static DecodedImage Noise(int width, int height, int channels, int seed)
    {
        var pixels = new byte[width * height * channels];
        new Random(seed).NextBytes(pixels);
        return new DecodedImage(width, height, channels, pixels);
    }

    private static JsonDocument Manifest() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "resample.json")));

    private static readonly Lazy<byte[]> Blob = new(() =>
    {
        using var file = File.OpenRead(Path.Combine(Directory, "resample.bin.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    });
}
