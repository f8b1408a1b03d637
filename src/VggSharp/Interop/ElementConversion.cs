using System.Buffers.Binary;

namespace VggSharp.Interop;

/// <summary>Widens or narrows stored floating-point elements to the float32 a model holds.</summary>
internal static class ElementConversion
{
    /// <summary>Whether a float32 entry can be loaded from elements of <paramref name="type"/>.</summary>
    public static bool ConvertsToSingle(SafetensorsDataType type) =>
        type is SafetensorsDataType.F32 or SafetensorsDataType.F16 or SafetensorsDataType.BF16 or SafetensorsDataType.F64;

    /// <summary>
    /// Converts little-endian <paramref name="source"/> elements of <paramref name="type"/> to float32: half and
    /// bfloat16 exactly, double rounded to nearest (as PyTorch's .float() does).
    /// </summary>
    public static void ToSingle(ReadOnlySpan<byte> source, SafetensorsDataType type, Span<float> destination)
    {
        switch (type)
        {
            case SafetensorsDataType.F32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                break;
            case SafetensorsDataType.F16:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                break;
            case SafetensorsDataType.BF16:
                // bfloat16 is the top half of a float32.
                for (int i = 0; i < destination.Length; i++) destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                break;
            case SafetensorsDataType.F64:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            default:
                throw new ArgumentException($"{type.HeaderName()} does not convert to float32.", nameof(type));
        }
    }
}
