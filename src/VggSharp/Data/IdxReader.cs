using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using VggSharp.Interop;

namespace VggSharp.Data;

/// <summary>
/// Reads IDX files (LeCun's MNIST format, also Fashion-MNIST's), raw or gzip-compressed (recognised by the gzip magic,
/// whatever the file name). Only unsigned bytes (type code 0x08) are supported, which is what the image and label files
/// hold. The header is checked against the data that is actually there before the array is allocated.
/// </summary>
public static class IdxReader
{
    /// <summary>The most dimensions accepted.</summary>
    public const int MaxRank = 4;

    /// <summary>The most elements accepted (1 GiB): the Fashion-MNIST training images are 47 MB.</summary>
    public const long MaxElements = 1L << 30;

    private const byte UnsignedByte = 0x08;

    /// <summary>Reads an IDX file of unsigned bytes; a file that is not one, or is truncated, throws <see cref="ImageFormatException"/>.</summary>
    public static IdxArray Read(string path) => Read(path, count: null);

    /// <summary>
    /// Reads an IDX file whose first dimension must be <paramref name="count"/> when given (the images of a labels
    /// file's labels); a header that says otherwise is refused before any data is read or inflated.
    /// </summary>
    private static IdxArray Read(string path, int? count)
    {
        try
        {
            using var file = RegularFile.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (got == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            {
                IdxArray array;
                using (var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true)) array = Read(gzip, knownLength: null, path, count);
                CheckGzipTrailer(file, array, path);
                return array;
            }
            return Read(file, file.Length, path, count);
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(path, "corrupt gzip data: " + e.Message, e);
        }
        catch (UnreadableFileException e)
        {
            throw new ImageFormatException(path, e.Problem, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new ImageFormatException(path, "cannot be read: " + e.Message, e);
        }
    }

    /// <summary>
    /// Reads an IDX file and checks that it has <paramref name="rank"/> dimensions, and, when <paramref name="count"/>
    /// is given, that the first is <paramref name="count"/>, before reading the data.
    /// </summary>
    public static IdxArray Read(string path, int rank, int? count = null)
    {
        IdxArray array = Read(path, count);
        if (array.Dimensions.Count != rank)
            throw new ImageFormatException(path, $"IDX file has {array.Dimensions.Count} dimensions, expected {rank}");
        return array;
    }

    private static IdxArray Read(Stream stream, long? knownLength, string source, int? count)
    {
        Span<byte> prefix = stackalloc byte[4];
        if (stream.ReadAtLeast(prefix, 4, throwOnEndOfStream: false) < 4) throw new ImageFormatException(source, "IDX file is shorter than its 4-byte magic");
        if (prefix[0] != 0 || prefix[1] != 0)
            throw new ImageFormatException(source, $"not an IDX file (magic {Convert.ToHexString(prefix)}, expected 0000xxxx)");
        if (prefix[2] != UnsignedByte)
            throw new ImageFormatException(source, $"IDX type code 0x{prefix[2]:X2} is not supported (only 0x08, unsigned bytes)");
        int rank = prefix[3];
        if (rank is 0 or > MaxRank) throw new ImageFormatException(source, $"IDX rank {rank} is not between 1 and {MaxRank}");

        Span<byte> dimensionBytes = stackalloc byte[4 * rank];
        if (stream.ReadAtLeast(dimensionBytes, dimensionBytes.Length, throwOnEndOfStream: false) < dimensionBytes.Length)
            throw new ImageFormatException(source, "IDX file ends inside its dimensions");
        var dimensions = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(dimensionBytes[(4 * i)..]);
            if (d == 0 || d > int.MaxValue) throw new ImageFormatException(source, $"IDX dimension {i} is {d}");
            elements *= d; // cannot overflow: checked against the cap after every step, and d < 2^31
            if (elements > MaxElements) throw new ImageFormatException(source, $"IDX dimensions exceed {MaxElements} elements");
            dimensions[i] = (int)d;
        }

        if (count is int expected && dimensions[0] != expected)
            throw new ImageFormatException(source, $"IDX file declares {dimensions[0]} items but {expected} are expected (one per label)");
        long headerBytes = 4 + 4L * rank;
        if (knownLength is long length && length != headerBytes + elements)
            throw new ImageFormatException(source, $"IDX file is {length} bytes; its dimensions {string.Join('x', dimensions)} need {headerBytes + elements}");
        byte[] data = knownLength is null ? ReadGrowing(stream, elements, source) : new byte[elements];
        if (knownLength is not null) stream.ReadExactly(data);
        return new IdxArray(dimensions, data);
    }

    // .NET stops quietly when a gzip file ends inside its 8-byte trailer, so check the trailer's CRC-32 and length
    // (mod 2^32) here. A file of several gzip members would fail this; IDX files are written as one.
    private static void CheckGzipTrailer(FileStream file, IdxArray array, string source)
    {
        int rank = array.Dimensions.Count;
        Span<byte> header = stackalloc byte[4 + 4 * rank];
        header[..4].Clear();
        header[2] = UnsignedByte;
        header[3] = (byte)rank;
        for (int i = 0; i < rank; i++) BinaryPrimitives.WriteInt32BigEndian(header[(4 + 4 * i)..], array.Dimensions[i]);
        var hash = new Crc32();
        hash.Append(header);
        hash.Append(array.Data);
        uint crc = hash.GetCurrentHashAsUInt32();
        uint size = (uint)(header.Length + array.Data.LongLength);

        Span<byte> trailer = stackalloc byte[8];
        file.Position = Math.Max(0, file.Length - 8);
        bool complete = file.ReadAtLeast(trailer, 8, throwOnEndOfStream: false) == 8;
        if (!complete || BinaryPrimitives.ReadUInt32LittleEndian(trailer) != crc || BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) != size)
            throw new ImageFormatException(source, "gzip trailer is missing or does not match the data (truncated or corrupt file)");
    }

    // Compressed data's length is unknown until it is inflated: grow the buffer only as data arrives, so a small file
    // claiming huge dimensions costs memory in proportion to what it really holds.
    private static byte[] ReadGrowing(Stream stream, long expected, string source)
    {
        var data = new byte[Math.Min(expected, 1 << 20)];
        long filled = 0;
        while (true)
        {
            int read = stream.Read(data, (int)filled, data.Length - (int)filled);
            if (read == 0) break;
            filled += read;
            if (filled == data.Length)
            {
                if (filled == expected) break;
                Array.Resize(ref data, (int)Math.Min(expected, 2 * filled));
            }
        }
        if (filled < expected) throw new ImageFormatException(source, $"IDX data ends after {filled} of {expected} bytes");
        if (stream.ReadByte() >= 0) throw new ImageFormatException(source, $"IDX file has data past its {expected} bytes");
        return data;
    }
}
