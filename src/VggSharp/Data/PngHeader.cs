using System.Buffers.Binary;

namespace VggSharp.Data;

/// <summary>A PNG's IHDR chunk, validated: the image size, the sample layout and the interlace method.</summary>
internal readonly record struct PngHeader(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
{
    /// <summary>Samples per pixel: 1 gray or palette index, 2 gray+alpha, 3 RGB, 4 RGBA.</summary>
    public int SamplesPerPixel => ColorType switch
    {
        PngColorType.Rgb => 3,
        PngColorType.GrayscaleAlpha => 2,
        PngColorType.Rgba => 4,
        _ => 1,
    };

    /// <summary>Bits per pixel in a scanline.</summary>
    public int BitsPerPixel => SamplesPerPixel * BitDepth;

    /// <summary>The byte distance the filters look back: bytes per pixel, rounded up to 1.</summary>
    public int FilterStride => Math.Max(1, BitsPerPixel / 8);

    /// <summary>Channels of the decoded image: 1 for grayscale (alpha dropped), 3 for RGB and palette images.</summary>
    public int OutputChannels => ColorType is PngColorType.Grayscale or PngColorType.GrayscaleAlpha ? 1 : 3;

    /// <summary>Bytes of a scanline <paramref name="width"/> pixels wide, without its filter byte.</summary>
    public long RowBytes(int width) => ((long)width * BitsPerPixel + 7) / 8;

    /// <summary>Parses and checks the 13 bytes of IHDR; a bad header throws <see cref="ImageFormatException"/>.</summary>
    public static PngHeader Parse(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length != 13) throw new ImageFormatException(source, $"PNG IHDR chunk is {data.Length} bytes, not 13");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data), height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        if (ImageLimits.CheckSize(width, height) is { } sizeProblem) throw new ImageFormatException(source, "PNG " + sizeProblem);
        int bitDepth = data[8];
        var colorType = (PngColorType)data[9];
        int[] allowed = colorType switch
        {
            PngColorType.Grayscale => [1, 2, 4, 8, 16],
            PngColorType.Palette => [1, 2, 4, 8],
            PngColorType.Rgb or PngColorType.GrayscaleAlpha or PngColorType.Rgba => [8, 16],
            _ => throw new ImageFormatException(source, $"PNG colour type {data[9]} is not one of 0, 2, 3, 4, 6"),
        };
        if (Array.IndexOf(allowed, bitDepth) < 0)
            throw new ImageFormatException(source, $"PNG bit depth {bitDepth} is not allowed for colour type {data[9]}");
        if (data[10] != 0) throw new ImageFormatException(source, $"PNG compression method {data[10]} is unknown");
        if (data[11] != 0) throw new ImageFormatException(source, $"PNG filter method {data[11]} is unknown");
        if (data[12] > 1) throw new ImageFormatException(source, $"PNG interlace method {data[12]} is unknown");
        return new PngHeader((int)width, (int)height, bitDepth, colorType, data[12] == 1);
    }
}
