namespace VggSharp.Interop.Onnx;

/// <summary>What <see cref="OnnxParser"/> reads of a ModelProto: versions, the graph's nodes, initializers, inputs and outputs, and the metadata.</summary>
internal sealed class OnnxModelProto
{
    public long IrVersion { get; init; }

    /// <summary>The default ("" or "ai.onnx") operator set's version, or null when the file imports none.</summary>
    public long? Opset { get; init; }

    public string Producer { get; init; } = "";

    public IReadOnlyList<OnnxNode> Nodes { get; init; } = [];

    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; init; } = new Dictionary<string, OnnxTensor>();

    public IReadOnlyList<OnnxValueInfo> Inputs { get; init; } = [];

    public IReadOnlyList<OnnxValueInfo> Outputs { get; init; } = [];

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
