namespace VggSharp.Interop.Hdf5;

/// <summary>The datatypes a weights file uses: little-endian IEEE floats, fixed-length strings, and the others by class only.</summary>
/// <param name="Class">HDF5's datatype class: 0 fixed-point, 1 floating-point, 3 string, 9 variable-length, ...</param>
/// <param name="Size">Bytes per element.</param>
/// <param name="IsIeeeLittleEndian">For floating-point: whether it is IEEE 754 binary16, 32 or 64 in little-endian order.</param>
internal sealed record Hdf5DataType(int Class, int Size, bool IsIeeeLittleEndian)
{
    public const int FixedPoint = 0, FloatingPoint = 1, String = 3, VariableLength = 9;

    /// <summary>Whether elements are little-endian IEEE float32.</summary>
    public bool IsSingle => Class == FloatingPoint && Size == 4 && IsIeeeLittleEndian;

    /// <summary>Parses a datatype message.</summary>
    public static Hdf5DataType Parse(ReadOnlySpan<byte> data, string what)
    {
        if (data.Length < 8) throw new InvalidDataException($"the datatype of {what} is truncated");
        int type = data[0] & 0x0F, bits = data[1];
        int at = 4;
        ulong size = Hdf5Input.Count(data, ref at, 4);
        if (size is 0 or > 1 << 16) throw new InvalidDataException($"the datatype of {what} has {size}-byte elements");
        bool ieee = false;
        if (type == FloatingPoint && data.Length >= 20)
        {
            // Properties: bit offset, precision, exponent location and size, mantissa location and size, exponent bias.
            int precision = data[10] | data[11] << 8, exponentSize = data[13], mantissaSize = data[15];
            ieee = (bits & 0x41) == 0 && precision == (int)size * 8 && (size, exponentSize, mantissaSize) is (2, 5, 10) or (4, 8, 23) or (8, 11, 52);
        }
        return new Hdf5DataType(type, (int)size, ieee);
    }

    /// <summary>The class as words, for messages.</summary>
    public string Describe() => Class switch
    {
        FixedPoint => $"{Size}-byte integers",
        FloatingPoint => IsIeeeLittleEndian ? $"float{Size * 8}" : $"{Size}-byte non-IEEE or big-endian floats",
        String => $"{Size}-byte strings",
        VariableLength => "variable-length data",
        _ => $"datatype class {Class}",
    };
}
