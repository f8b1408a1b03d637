using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using VggSharp.Interop;

namespace VggSharp.Data;

/// <summary>
/// Writes 8-bit grayscale or RGB images as PNG (no filtering, zlib-compressed), for the images VggSharp makes: a
/// constructed data set, boxes drawn over a prediction. <see cref="PngDecoder"/> reads them back bit for bit.
/// </summary>
public static class PngEncoder
{
    /// <summary>The PNG file of <paramref name="image"/>.</summary>
    public static byte[] Encode(DecodedImage image)
    {
        int rowBytes = image.Width * image.Channels;
        var raw = new byte[(long)image.Height * (rowBytes + 1)];
        for (int y = 0; y < image.Height; y++)
            image.Pixels.AsSpan(y * rowBytes, rowBytes).CopyTo(raw.AsSpan(y * (rowBytes + 1) + 1));
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);

        using var png = new MemoryStream();
        png.Write(PngDecoder.Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], image.Height);
        header[8] = 8;
        header[9] = (byte)(image.Channels == 1 ? PngColorType.Grayscale : PngColorType.Rgb);
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    /// <summary>Writes <paramref name="image"/> as a PNG file at <paramref name="path"/>, atomically.</summary>
    public static void Save(DecodedImage image, string path)
    {
        byte[] png = Encode(image);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        stream.Write(type);
        stream.Write(data);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        stream.Write(word);
    }
}
