using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace VggSharp.Data;

/// <summary>
/// A PNG decoder (ISO/IEC 15948): every colour type and bit depth, Adam7 interlacing, all five filters, several IDAT
/// chunks; every chunk's CRC is checked and the header is validated before anything is allocated. Output follows
/// <see cref="DecodedImage"/>: grayscale and grayscale+alpha give 1 channel, RGB, RGBA and palette images 3; 16-bit
/// samples keep their high byte (v >> 8, as PIL does when it loads 16-bit RGB).
/// </summary>
public static class PngDecoder
{
    /// <summary>The eight bytes every PNG file starts with.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    // Deflate emits at most 258 bytes per 2 bits of input, so fewer compressed bytes than this cannot be a real image.
    private const long MaxDeflateRatio = 1032;

    /// <summary>Decodes a PNG file; anything wrong with it throws <see cref="ImageFormatException"/> naming <paramref name="source"/>.</summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> data, string source)
    {
        if (!data.StartsWith(Signature)) throw new ImageFormatException(source, "not a PNG file (bad signature)");
        PngHeader? header = null;
        byte[] palette = [];
        var compressed = new MemoryStream();
        bool sawIdat = false, idatEnded = false, sawEnd = false;

        int offset = Signature.Length;
        while (!sawEnd)
        {
            if (data.Length - offset < 12) throw new ImageFormatException(source, "PNG file ends before its IEND chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            if (length > int.MaxValue || length > data.Length - offset - 12)
                throw new ImageFormatException(source, $"PNG chunk at byte {offset} claims {length} bytes, past the end of the file");
            ReadOnlySpan<byte> typeAndBody = data.Slice(offset + 4, 4 + (int)length);
            ReadOnlySpan<byte> body = typeAndBody[4..];
            string type = ChunkType(typeAndBody[..4]);
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 8 + (int)length)..]);
            if (Crc32.HashToUInt32(typeAndBody) != storedCrc)
                throw new ImageFormatException(source, $"PNG chunk {type} at byte {offset} fails its CRC check");
            offset += 12 + (int)length;

            if (header is null && type != "IHDR") throw new ImageFormatException(source, $"PNG starts with chunk {type}, not IHDR");
            if (sawIdat && type != "IDAT") idatEnded = true;
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw new ImageFormatException(source, "PNG has two IHDR chunks");
                    header = PngHeader.Parse(body, source);
                    break;
                case "PLTE":
                    if (sawIdat) throw new ImageFormatException(source, "PNG PLTE chunk comes after the image data");
                    if (length % 3 != 0 || length == 0 || length > 3 * 256)
                        throw new ImageFormatException(source, $"PNG PLTE chunk of {length} bytes is not 1 to 256 RGB entries");
                    palette = body.ToArray();
                    break;
                case "IDAT":
                    if (idatEnded) throw new ImageFormatException(source, "PNG IDAT chunks are not consecutive");
                    sawIdat = true;
                    compressed.Write(body);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    // Bit 5 of the first letter clear (upper case) marks a chunk a decoder must understand.
                    if ((typeAndBody[0] & 0x20) == 0) throw new ImageFormatException(source, $"PNG has unknown critical chunk {type}");
                    break;
            }
        }

        PngHeader h = header!.Value;
        if (!sawIdat) throw new ImageFormatException(source, "PNG has no IDAT chunk");
        if (h.ColorType == PngColorType.Palette && palette.Length == 0) throw new ImageFormatException(source, "PNG palette image has no PLTE chunk");
        return DecodePixels(h, compressed, palette, source);
    }

    private static DecodedImage DecodePixels(PngHeader header, MemoryStream compressed, byte[] palette, string source)
    {
        Adam7[] passes = header.Interlaced ? Adam7.Passes : Adam7.WholeImage;
        long rawBytes = 0;
        foreach (Adam7 pass in passes)
        {
            int columns = pass.Columns(header.Width);
            if (columns > 0) rawBytes += pass.Rows(header.Height) * (1 + header.RowBytes(columns));
        }
        if (rawBytes > compressed.Length * MaxDeflateRatio)
            throw new ImageFormatException(source, $"PNG image data ({compressed.Length} bytes) is too short for a {header.Width}x{header.Height} image");

        var output = new byte[(long)header.Width * header.Height * header.OutputChannels];
        var current = new byte[1 + header.RowBytes(header.Width)];
        var prior = new byte[current.Length];
        compressed.Position = 0;
        try
        {
            using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
            foreach (Adam7 pass in passes)
            {
                int columns = pass.Columns(header.Width), rows = pass.Rows(header.Height);
                if (columns == 0 || rows == 0) continue;
                int rowBytes = (int)header.RowBytes(columns);
                Array.Clear(prior);
                for (int y = 0; y < rows; y++)
                {
                    Span<byte> line = current.AsSpan(0, 1 + rowBytes);
                    if (inflater.ReadAtLeast(line, line.Length, throwOnEndOfStream: false) < line.Length)
                        throw new ImageFormatException(source, "PNG image data ends early");
                    Span<byte> row = line[1..];
                    if (!PngFilter.TryUnfilter(line[0], row, prior.AsSpan(1, rowBytes), header.FilterStride))
                        throw new ImageFormatException(source, $"PNG scanline uses unknown filter type {line[0]}");
                    PngScanline.Write(header, row, columns, pass, y, palette, output, source);
                    (current, prior) = (prior, current);
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(source, "PNG image data is not valid zlib data: " + e.Message, e);
        }
        return new DecodedImage(header.Width, header.Height, header.OutputChannels, output);
    }

    private static string ChunkType(ReadOnlySpan<byte> type)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++) chars[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        return new string(chars);
    }
}
