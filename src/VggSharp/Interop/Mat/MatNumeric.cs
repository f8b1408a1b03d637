using System.Buffers.Binary;

namespace VggSharp.Interop.Mat;

/// <summary>
/// A real numeric array, located but not read: its elements are <see cref="ElementSize"/>-byte values of MAT data type
/// <see cref="ElementType"/> (which may be narrower than the array's class, as MATLAB stores whole numbers) at
/// <see cref="Position"/> of <see cref="Bytes"/>, in column-major order.
/// </summary>
internal sealed record MatNumeric(long[] Dimensions, int ElementType, MatBytes Bytes, long Position) : MatValue(Dimensions)
{
    public const int Int8 = 1, UInt8 = 2, Int16 = 3, UInt16 = 4, Int32 = 5, UInt32 = 6, Single = 7, Double = 9, Int64 = 12, UInt64 = 13;
    private const int MaxSmallValues = 1 << 20;

    /// <summary>Bytes per element of a MAT data type, or 0 for a type that is not numeric.</summary>
    public static int SizeOf(int type) => type switch
    {
        Int8 or UInt8 => 1,
        Int16 or UInt16 => 2,
        Int32 or UInt32 or Single => 4,
        Double or Int64 or UInt64 => 8,
        _ => 0,
    };

    /// <summary>Bytes per element.</summary>
    public int ElementSize => SizeOf(ElementType);

    /// <summary>The values as doubles, for small arrays (strides, paddings, a mean); at most a million of them.</summary>
    public double[] Values()
    {
        if (Count > MaxSmallValues) throw new InvalidDataException($"a {DimensionsText} array where a small one (a padding, a mean) belongs");
        var raw = new byte[Count * ElementSize];
        Bytes.Read(Position, raw);
        var values = new double[Count];
        for (int i = 0; i < values.Length; i++)
        {
            var e = raw.AsSpan(i * ElementSize, ElementSize);
            values[i] = ElementType switch
            {
                Int8 => (sbyte)e[0],
                UInt8 => e[0],
                Int16 => BinaryPrimitives.ReadInt16LittleEndian(e),
                UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(e),
                Int32 => BinaryPrimitives.ReadInt32LittleEndian(e),
                UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(e),
                Single => BinaryPrimitives.ReadSingleLittleEndian(e),
                Double => BinaryPrimitives.ReadDoubleLittleEndian(e),
                Int64 => BinaryPrimitives.ReadInt64LittleEndian(e),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(e),
            };
        }
        return values;
    }
}
