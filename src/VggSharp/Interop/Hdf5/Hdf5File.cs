using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Hdf5;

/// <summary>
/// The subset of HDF5 that h5py writes by default and Keras's weights files use: superblock version 0 or 1, version 1
/// object headers, symbol-table groups, attributes, and contiguous or compact datasets. Nothing is allocated that the
/// file's length does not justify; every problem is an <see cref="InvalidDataException"/> that says what is wrong.
/// </summary>
internal static class Hdf5File
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1A, (byte)'\n'];

    /// <summary>Whether <paramref name="header"/> (a file's first bytes) starts with HDF5's signature.</summary>
    public static bool Recognizes(ReadOnlySpan<byte> header) => header.StartsWith(Signature);

    /// <summary>Reads the superblock of <paramref name="file"/> and returns its input and root group.</summary>
    public static (Hdf5Input Input, Hdf5Group Root) Open(SafeFileHandle file)
    {
        var input = new Hdf5Input(file, RandomAccess.GetLength(file));
        var start = input.Read(0, Math.Min(input.Length, 16), "the superblock");
        if (start.Length < 16 || !Recognizes(start)) throw new InvalidDataException(start.Length < 16 && Recognizes(start) ? "truncated: the file ends inside its superblock" : "not an HDF5 file: it lacks HDF5's signature");
        int version = start[8];
        if (version > 1)
            throw new InvalidDataException($"superblock version {version} (HDF5 1.8's newer layout); only versions 0 and 1, which h5py writes by default, are read");
        input.OffsetSize = start[13];
        input.LengthSize = start[14];
        if (input.OffsetSize is not (4 or 8) || input.LengthSize is not (4 or 8))
            throw new InvalidDataException($"the superblock gives {input.OffsetSize}-byte offsets and {input.LengthSize}-byte lengths; 4 or 8 are read");
        int fixedPart = version == 0 ? 24 : 28;
        var superblock = input.Read(0, fixedPart + 4L * input.OffsetSize + 2L * input.OffsetSize + 24, "the superblock");
        int at = fixedPart;
        ulong baseAddress = input.Offset(superblock, ref at);
        if (baseAddress != 0) throw new InvalidDataException($"the superblock's base address is {baseAddress}; files with a user block are not read");
        at += 3 * input.OffsetSize; // free space, end of file and driver addresses
        input.Offset(superblock, ref at); // the root's link name offset
        ulong root = input.Offset(superblock, ref at);
        return (input, Hdf5Group.Read(input, root, "/"));
    }
}
