namespace VggSharp.Interop.PyTorch;

/// <summary>
/// A storage class a PyTorch pickle names ("torch.FloatStorage"), which gives the element type of the storage's
/// bytes and of every tensor on it.
/// </summary>
/// <param name="Name">The class name, "FloatStorage".</param>
/// <param name="DataType">The element type.</param>
internal sealed record TorchStorageType(string Name, SafetensorsDataType DataType)
{
    private static readonly Dictionary<string, TorchStorageType> Known = new TorchStorageType[]
    {
        new("FloatStorage", SafetensorsDataType.F32), new("DoubleStorage", SafetensorsDataType.F64),
        new("HalfStorage", SafetensorsDataType.F16), new("BFloat16Storage", SafetensorsDataType.BF16),
        new("LongStorage", SafetensorsDataType.I64), new("IntStorage", SafetensorsDataType.I32),
        new("ShortStorage", SafetensorsDataType.I16), new("CharStorage", SafetensorsDataType.I8),
        new("ByteStorage", SafetensorsDataType.U8), new("BoolStorage", SafetensorsDataType.Bool),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The storage class torch.<paramref name="name"/>, or null when it is not one of the real-valued ones above.</summary>
    public static TorchStorageType? Find(string name) => Known.GetValueOrDefault(name);

    /// <inheritdoc />
    public override string ToString() => $"torch.{Name}";
}
