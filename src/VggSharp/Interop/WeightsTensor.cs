namespace VggSharp.Interop;

/// <summary>One tensor of a weights file, in any format: its key (torchvision's, "features.0.weight"), element type and shape.</summary>
/// <param name="Name">The key.</param>
/// <param name="DataType">The element type as stored.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
public record WeightsTensor(string Name, SafetensorsDataType DataType, IReadOnlyList<long> Shape)
{
    /// <summary>The number of elements (the shape's dimensions are validated by every reader, so the product fits).</summary>
    public long ElementCount => Shape.Aggregate(1L, (count, d) => count * d);

    /// <summary>The shape as text, "[64, 3, 3, 3]".</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Bytes per element once loaded into a model: 8 for integers (batch counters are int64), 4 for floats (float32).</summary>
    public static int LoadedElementSize(SafetensorsDataType type) => type is SafetensorsDataType.F16 or SafetensorsDataType.BF16
        or SafetensorsDataType.F32 or SafetensorsDataType.F64 or SafetensorsDataType.F8E4M3 or SafetensorsDataType.F8E5M2 ? sizeof(float) : sizeof(long);

    internal static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
