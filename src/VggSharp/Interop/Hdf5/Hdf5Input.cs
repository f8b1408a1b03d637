using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Hdf5;

/// <summary>
/// The bytes of an HDF5 file, read at addresses that are checked against its length before anything is allocated,
/// with the file's sizes of offsets and lengths (4 or 8 bytes). Every problem is an <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class Hdf5Input(SafeFileHandle file, long length)
{
    /// <summary>The file's length in bytes.</summary>
    public long Length { get; } = length;

    /// <summary>The size of an address in the file (the superblock's "size of offsets").</summary>
    public int OffsetSize { get; set; } = 8;

    /// <summary>The size of a length in the file (the superblock's "size of lengths").</summary>
    public int LengthSize { get; set; } = 8;

    /// <summary>The address no object has: all bits set.</summary>
    public const ulong Undefined = ulong.MaxValue;

    /// <summary>Reads <paramref name="count"/> bytes at file position <paramref name="position"/>, which must lie within the file.</summary>
    public byte[] Read(long position, long count, string what)
    {
        Check(position, count, what);
        var bytes = new byte[count];
        ReadInto(position, bytes, what);
        return bytes;
    }

    /// <summary>Fills <paramref name="destination"/> from file position <paramref name="position"/>.</summary>
    public void ReadInto(long position, Span<byte> destination, string what)
    {
        Check(position, destination.Length, what);
        int done = 0;
        while (done < destination.Length)
        {
            int read = RandomAccess.Read(file, destination[done..], position + done);
            if (read == 0) throw new InvalidDataException($"truncated: the file ends inside {what}");
            done += read;
        }
    }

    /// <summary>The file position of address <paramref name="address"/>, which must lie within the file.</summary>
    public long Position(ulong address, string what)
    {
        if (address == Undefined || address > (ulong)Length)
            throw new InvalidDataException(address == Undefined ? $"{what} has no address" : $"truncated: {what} lies at address {address}, beyond the file's {Length} bytes");
        return (long)address;
    }

    /// <summary>Throws unless <paramref name="count"/> bytes from <paramref name="position"/> lie within the file.</summary>
    public void Check(long position, long count, string what)
    {
        if (position < 0 || count < 0 || position > Length || count > Length - position)
            throw new InvalidDataException($"truncated: {what} ({count} bytes at {position}) lies beyond the file's {Length} bytes");
    }

    /// <summary>Reads an address of the file's offset size at <paramref name="at"/> in <paramref name="data"/>, moving past it.</summary>
    public ulong Offset(ReadOnlySpan<byte> data, ref int at) => Sized(data, ref at, OffsetSize);

    /// <summary>Reads a length of the file's length size at <paramref name="at"/> in <paramref name="data"/>, moving past it.</summary>
    public ulong LengthField(ReadOnlySpan<byte> data, ref int at) => Count(data, ref at, LengthSize);

    /// <summary>A little-endian unsigned integer of <paramref name="size"/> bytes (1, 2, 4 or 8); all bits set stays <see cref="Undefined"/>.</summary>
    public static ulong Sized(ReadOnlySpan<byte> data, ref int at, int size)
    {
        if (at < 0 || size > data.Length - at) throw new InvalidDataException("truncated: a field runs past the end of its structure");
        var field = data.Slice(at, size);
        at += size;
        ulong value = size switch
        {
            1 => field[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(field),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(field),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(field),
        };
        return size < 8 && value == (1UL << (8 * size)) - 1 ? Undefined : value;
    }

    /// <summary>A little-endian unsigned integer of <paramref name="size"/> bytes, taken as a count (never "undefined").</summary>
    public static ulong Count(ReadOnlySpan<byte> data, ref int at, int size)
    {
        if (at < 0 || size > data.Length - at) throw new InvalidDataException("truncated: a field runs past the end of its structure");
        ulong value = 0;
        for (int i = size - 1; i >= 0; i--) value = (value << 8) | data[at + i];
        at += size;
        return value;
    }
}
