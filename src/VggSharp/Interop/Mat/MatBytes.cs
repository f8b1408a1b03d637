using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Mat;

/// <summary>
/// The bytes a MAT-file's data elements are parsed from: the file itself, or a compressed variable's bytes once
/// inflated into memory. Every read is checked against the bytes there are; a problem is an <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class MatBytes
{
    private readonly SafeFileHandle? _file;
    private readonly byte[]? _memory;

    private MatBytes(SafeFileHandle? file, byte[]? memory, long length)
    {
        _file = file;
        _memory = memory;
        Length = length;
    }

    /// <summary>The number of bytes.</summary>
    public long Length { get; }

    /// <summary>The bytes of <paramref name="file"/>.</summary>
    public static MatBytes Of(SafeFileHandle file) => new(file, null, RandomAccess.GetLength(file));

    /// <summary>Bytes held in memory (an inflated variable).</summary>
    public static MatBytes Of(byte[] memory) => new(null, memory, memory.Length);

    /// <summary>Fills <paramref name="destination"/> from <paramref name="position"/>.</summary>
    public void Read(long position, Span<byte> destination)
    {
        if (position < 0 || position > Length || destination.Length > Length - position)
            throw new InvalidDataException($"truncated: {destination.Length} bytes at {position} lie beyond the {Length} there are");
        if (_memory is not null)
        {
            _memory.AsSpan((int)position, destination.Length).CopyTo(destination);
            return;
        }
        int done = 0;
        while (done < destination.Length)
        {
            int read = RandomAccess.Read(_file!, destination[done..], position + done);
            if (read == 0) throw new InvalidDataException("truncated: the file ended while being read");
            done += read;
        }
    }

    /// <summary>The little-endian uint32 at <paramref name="position"/>.</summary>
    public uint UInt32(long position)
    {
        Span<byte> bytes = stackalloc byte[4];
        Read(position, bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    /// <summary>A stream over <paramref name="count"/> bytes from <paramref name="position"/> (of the file: compressed data to inflate).</summary>
    public Stream Window(long position, long count)
    {
        if (position < 0 || count < 0 || position > Length || count > Length - position)
            throw new InvalidDataException($"truncated: {count} bytes at {position} lie beyond the {Length} there are");
        return _memory is not null
            ? new MemoryStream(_memory, (int)position, (int)count, writable: false)
            : new FileWindowStream(_file!, position, count);
    }
}
