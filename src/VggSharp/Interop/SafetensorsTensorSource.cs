namespace VggSharp.Interop;

/// <summary>Supplies a tensor's little-endian bytes when the writer reaches it, so that no copy is made beforehand.</summary>
public delegate ReadOnlySpan<byte> SafetensorsTensorData();

/// <summary>One tensor to write: its key, element type, shape and a source of exactly product(shape) * element size bytes.</summary>
/// <param name="Name">The key ("features.0.weight"); not "__metadata__".</param>
/// <param name="DataType">The element type.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="Data">The bytes, requested once while writing.</param>
public sealed record SafetensorsTensorSource(string Name, SafetensorsDataType DataType, IReadOnlyList<long> Shape, SafetensorsTensorData Data)
{
    /// <summary>The number of bytes the shape and element type call for.</summary>
    public long ByteLength => Shape.Aggregate((long)DataType.ElementSize(), (bytes, d) => checked(bytes * d));
}
