namespace VggSharp.Interop.Onnx;

/// <summary>An AttributeProto: its name and type, and whichever value the type says it has (AttributeType's numbers).</summary>
internal sealed class OnnxAttribute
{
    /// <summary>AttributeProto.AttributeType.</summary>
    public const int FloatType = 1, IntType = 2, StringType = 3, TensorType = 4, FloatsType = 6, IntsType = 7;

    public string Name { get; init; } = "";

    /// <summary>AttributeProto.type; 0 when the file does not say.</summary>
    public int Type { get; init; }

    public float F { get; init; }

    public long I { get; init; }

    public string S { get; init; } = "";

    public OnnxTensor? T { get; init; }

    public IReadOnlyList<long> Ints { get; init; } = [];

    public IReadOnlyList<float> Floats { get; init; } = [];
}
