using System.Runtime.InteropServices;
using VggSharp.Interop;

namespace VggSharp.Tests.Interop;

/// <summary>Writes ONNX ModelProtos by onnx.proto's field numbers, for graphs VggSharp must refuse and damaged files.</summary>
internal sealed class OnnxFiles
{
    private readonly ProtoWriter _graph = new();
    private readonly List<string> _inputs = [];

    /// <summary>Whether float initializers hold their values in float_data, one tag per value, instead of raw_data.</summary>
    public bool UnpackedFloats { get; init; }

    /// <summary>A node: its operator, inputs, outputs and attributes (made with <see cref="Ints"/>, <see cref="Int"/>, <see cref="Float"/>).</summary>
    public OnnxFiles Node(string op, string[] inputs, string[] outputs, params ProtoWriter[] attributes) => Node(op, "", inputs, outputs, attributes);

    /// <summary>A node of an operator domain.</summary>
    public OnnxFiles Node(string op, string domain, string[] inputs, string[] outputs, params ProtoWriter[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs) node.String(1, input);
        foreach (string output in outputs) node.String(2, output);
        node.String(3, outputs.FirstOrDefault() ?? "").String(4, op);
        if (domain.Length > 0) node.String(7, domain);
        foreach (var attribute in attributes) node.Message(5, attribute);
        _graph.Message(1, node);
        return this;
    }

    /// <summary>A float initializer of <paramref name="dims"/> with values 0.1·(i mod 7 - 3).</summary>
    public OnnxFiles Weight(string name, params long[] dims)
    {
        var values = new float[dims.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = 0.1f * (i % 7 - 3);
        _graph.Message(5, Tensor(name, 1, dims, values, UnpackedFloats));
        return this;
    }

    /// <summary>An int64 initializer.</summary>
    public OnnxFiles Int64s(string name, params long[] values)
    {
        _graph.Message(5, new ProtoWriter().Varints(1, [values.Length], false).Varint(2, 7).String(8, name).Varints(7, values, packed: true));
        return this;
    }

    /// <summary>Any initializer message.</summary>
    public OnnxFiles Initializer(ProtoWriter tensor)
    {
        _graph.Message(5, tensor);
        return this;
    }

    /// <summary>A graph input of float elements with these dimensions.</summary>
    public OnnxFiles Input(string name, params long[] dims)
    {
        _graph.Message(11, ValueInfo(name, dims));
        _inputs.Add(name);
        return this;
    }

    /// <summary>The ModelProto: the graph with output <paramref name="output"/>, importing <paramref name="opset"/>.</summary>
    public byte[] Model(string output, int opset = 13)
    {
        _graph.String(2, "test").Message(12, ValueInfo(output, null));
        return new ProtoWriter().Varint(1, 7).Message(8, new ProtoWriter().String(1, "").Varint(2, (ulong)opset)).String(2, "test").Message(7, _graph).ToArray();
    }

    /// <summary>A TensorProto.</summary>
    public static ProtoWriter Tensor(string name, int dataType, long[] dims, ReadOnlySpan<float> values, bool unpacked)
    {
        var tensor = new ProtoWriter().Varints(1, dims, false).Varint(2, (ulong)dataType).String(8, name);
        if (!unpacked) return tensor.Bytes(9, MemoryMarshal.AsBytes(values));
        foreach (float v in values) tensor.Float(4, v);
        return tensor;
    }

    public static ProtoWriter Ints(string name, params long[] values) => new ProtoWriter().String(1, name).Varint(20, 7).Varints(8, values, packed: false);

    public static ProtoWriter Int(string name, long value) => new ProtoWriter().String(1, name).Varint(20, 2).Varint(3, (ulong)value);

    public static ProtoWriter Float(string name, float value) => new ProtoWriter().String(1, name).Varint(20, 1).Float(2, value);

    /// <summary>A ValueInfoProto of a float tensor, with its shape when <paramref name="dims"/> are given.</summary>
    private static ProtoWriter ValueInfo(string name, long[]? dims)
    {
        var tensorType = new ProtoWriter().Varint(1, 1);
        if (dims is not null)
        {
            var shape = new ProtoWriter();
            foreach (long d in dims) shape.Message(1, new ProtoWriter().Varint(1, (ulong)d));
            tensorType.Message(2, shape);
        }
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}
