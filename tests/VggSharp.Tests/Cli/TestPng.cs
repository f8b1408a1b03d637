using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using VggSharp.Data;

namespace VggSharp.Tests.Cli;

/// <summary>A minimal PNG writer for test images (8-bit RGB or gray, no filtering): the library only decodes PNGs.</summary>
public static class TestPng
{
    /// <summary>Writes <paramref name="image"/> to <paramref name="path"/> as a PNG.</summary>
    public static void Write(string path, DecodedImage image)
    {
        using var file = File.Create(path);
        file.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)image.Height);
        header[8] = 8;
        header[9] = (byte)(image.Channels == 3 ? 2 : 0);
        WriteChunk(file, "IHDR", header);
        using var scanlines = new MemoryStream();
        using (var deflater = new ZLibStream(scanlines, CompressionLevel.Fastest, leaveOpen: true))
        {
            int stride = image.Width * image.Channels;
            for (int y = 0; y < image.Height; y++)
            {
                deflater.WriteByte(0); // filter type None
                deflater.Write(image.Pixels, y * stride, stride);
            }
        }
        WriteChunk(file, "IDAT", scanlines.ToArray());
        WriteChunk(file, "IEND", []);
    }

    private static void WriteChunk(Stream stream, string type, byte[] body)
    {
        var word = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)body.Length);
        stream.Write(word);
        byte[] typeAndBody = [.. Encoding.ASCII.GetBytes(type), .. body];
        stream.Write(typeAndBody);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.HashToUInt32(typeAndBody));
        stream.Write(word);
    }
}
