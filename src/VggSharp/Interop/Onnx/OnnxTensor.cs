using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Onnx;

/// <summary>
/// A TensorProto located in the file (an initializer, or a Constant node's value): name, element type, dimensions
/// and where its values lie, checked to be exactly as many as the dimensions hold. Float values are read only when a
/// model to hold them exists; int64 values (shapes, indices) only when the graph's shape arithmetic asks for them.
/// </summary>
internal sealed class OnnxTensor
{
    /// <summary>TensorProto.DataType FLOAT.</summary>
    public const int Float = 1;

    /// <summary>TensorProto.DataType INT64.</summary>
    public const int Int64 = 7;

    /// <summary>The most int64 values a tensor may have: VGG's graphs hold only shapes and indices of that type.</summary>
    public const int MaxInt64Values = 64;

    private readonly (long Offset, long Length)? _rawInt64;
    private readonly IReadOnlyList<long> _int64Data;

    public OnnxTensor(string name, int dataType, IReadOnlyList<long> dims, ProtoFloatData? floats, (long Offset, long Length)? rawInt64, IReadOnlyList<long> int64Data)
    {
        Name = name;
        DataType = dataType;
        Dims = dims;
        Floats = floats;
        _rawInt64 = rawInt64;
        _int64Data = int64Data;
    }

    /// <summary>The name the graph refers to it by.</summary>
    public string Name { get; }

    /// <summary>TensorProto.DataType.</summary>
    public int DataType { get; }

    /// <summary>The dimensions; empty for a scalar.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>Where a float tensor's values lie; null for other types.</summary>
    public ProtoFloatData? Floats { get; }

    /// <summary>The number of values, the product of <see cref="Dims"/> (checked to fit an int on parsing).</summary>
    public long Count => Dims.Aggregate(1L, (count, d) => count * d);

    /// <summary>The dimensions as "[64, 3, 3, 3]".</summary>
    public string ShapeText => WeightsTensor.FormatShape(Dims);

    /// <summary>The element type's name in onnx.proto, for messages.</summary>
    public string TypeName => DataType switch
    {
        1 => "FLOAT", 2 => "UINT8", 3 => "INT8", 4 => "UINT16", 5 => "INT16", 6 => "INT32", 7 => "INT64", 8 => "STRING", 9 => "BOOL",
        10 => "FLOAT16", 11 => "DOUBLE", 12 => "UINT32", 13 => "UINT64", 16 => "BFLOAT16",
        _ => $"type {DataType}",
    };

    /// <summary>An int64 tensor's values (at most <see cref="MaxInt64Values"/>); anything else is an <see cref="InvalidDataException"/>.</summary>
    public long[] ReadInt64(SafeFileHandle file, string path)
    {
        if (DataType != Int64) throw new InvalidDataException($"tensor '{Name}' is {TypeName}, not INT64");
        if (Count > MaxInt64Values) throw new InvalidDataException($"tensor '{Name}' has {Count} int64 values, more than the {MaxInt64Values} a shape computation needs");
        if (_rawInt64 is not { } raw) return [.. _int64Data];
        var bytes = new byte[raw.Length];
        SafetensorsReader.ReadExactly(file, bytes, raw.Offset, path, $"tensor '{Name}'");
        var values = new long[Count];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * sizeof(long)));
        return values;
    }
}
