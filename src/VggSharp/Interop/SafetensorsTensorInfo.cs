namespace VggSharp.Interop;

/// <summary>One tensor as a safetensors header describes it; offsets are relative to the data after the header.</summary>
/// <param name="Name">The tensor's key ("features.0.weight").</param>
/// <param name="DataType">The element type.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="Begin">Offset of the first byte in the data buffer.</param>
/// <param name="End">Offset just past the last byte.</param>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDataType DataType, IReadOnlyList<long> Shape, long Begin, long End)
    : WeightsTensor(Name, DataType, Shape)
{
    /// <summary>The number of data bytes.</summary>
    public long ByteLength => End - Begin;
}
