using System.Globalization;

namespace VggSharp.Interop.Onnx;

/// <summary>A NodeProto: one operator with its inputs and outputs by name and its attributes.</summary>
internal sealed class OnnxNode
{
    public int Index { get; init; }

    public string Name { get; init; } = "";

    public string OpType { get; init; } = "";

    public string Domain { get; init; } = "";

    public IReadOnlyList<string> Inputs { get; init; } = [];

    public IReadOnlyList<string> Outputs { get; init; } = [];

    public IReadOnlyDictionary<string, OnnxAttribute> Attributes { get; init; } = new Dictionary<string, OnnxAttribute>();

    /// <summary>"node 7 ('vgg0_conv3', Conv)", as messages name a node.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"node {Index} ({(Name.Length > 0 ? $"'{Name}', " : "")}{(Domain is "" or "ai.onnx" ? "" : Domain + ":")}{OpType})");

    /// <summary>An int attribute, or <paramref name="fallback"/> when absent.</summary>
    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.I : fallback;

    /// <summary>A float attribute, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? a.F : fallback;

    /// <summary>An ints attribute, or null when absent.</summary>
    public IReadOnlyList<long>? Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints : null;

    /// <summary>A string attribute, or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string fallback) => Attributes.TryGetValue(name, out var a) ? a.S : fallback;

    /// <summary>The input at <paramref name="index"/>, or "" when the node has none there (ONNX's omitted optional input).</summary>
    public string Input(int index) => index < Inputs.Count ? Inputs[index] : "";
}
