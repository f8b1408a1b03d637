using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Onnx;

/// <summary>
/// Reads an .onnx file (a serialised ModelProto) at the wire level with onnx.proto's field numbers, through
/// <see cref="ProtoFieldReader"/>: the graph's nodes and their attributes, its inputs and outputs, and each
/// initializer's dimensions and the location of its values, but not the values. What it keeps is bounded (nodes,
/// initializers, inputs, attributes, dimensions, int64 values), so a hostile file cannot make it hold much more than
/// its own size. A malformed file gives <see cref="InvalidDataException"/> or <see cref="InvalidProtocolBufferException"/>.
/// </summary>
internal static class OnnxParser
{
    // VGG-19 with batch norm has about 60 nodes and 100 initializers (each also a graph input in IR version 3).
    private const int MaxNodes = 1024;
    private const int MaxTensors = 1024;
    private const int MaxValueInfos = 1024;
    private const int MaxNodeNames = 16;
    private const int MaxAttributes = 32;
    private const int MaxAttributeValues = 64;
    private const int MaxDims = 16;
    private const int MaxMetadata = 1024;

    /// <summary>The model of a file of <paramref name="length"/> bytes.</summary>
    public static OnnxModelProto Parse(SafeFileHandle file, long length)
    {
        long irVersion = 0;
        long? opset = null;
        string producer = "";
        GraphParts? graph = null;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using var model = ProtoFieldReader.Open(file, length);
        while (model.Next())
        {
            switch (model.Field)
            {
                case 1: irVersion = model.Int64(); break;
                case 2: producer = model.String(); break;
                case 7:
                    if (graph is not null) throw new InvalidDataException("the model has two graphs");
                    using (var message = model.Message()) graph = ParseGraph(message);
                    break;
                case 8:
                    using (var message = model.Message())
                    {
                        var (domain, version) = ParseOpset(message);
                        if (domain is "" or "ai.onnx") opset = version;
                    }
                    break;
                case 14:
                    if (metadata.Count == MaxMetadata) throw new InvalidDataException($"the model has more than {MaxMetadata} metadata entries");
                    using (var message = model.Message())
                    {
                        var (key, value) = ParseEntry(message);
                        metadata[key] = value;
                    }
                    break;
                default: model.Skip(); break;
            }
        }
        if (graph is null) throw new InvalidDataException("the model has no graph");
        return new OnnxModelProto
        {
            IrVersion = irVersion, Opset = opset, Producer = producer, Nodes = graph.Nodes, Initializers = graph.Initializers,
            Inputs = graph.Inputs, Outputs = graph.Outputs, Metadata = metadata,
        };
    }

    private sealed record GraphParts(List<OnnxNode> Nodes, Dictionary<string, OnnxTensor> Initializers, List<OnnxValueInfo> Inputs, List<OnnxValueInfo> Outputs);

    private static GraphParts ParseGraph(ProtoFieldReader graph)
    {
        var parts = new GraphParts([], new(StringComparer.Ordinal), [], []);
        while (graph.Next())
        {
            switch (graph.Field)
            {
                case 1:
                    if (parts.Nodes.Count == MaxNodes) throw new InvalidDataException($"the graph has more than {MaxNodes} nodes");
                    int index = parts.Nodes.Count;
                    using (var node = graph.Message()) parts.Nodes.Add(Within($"node {index}", () => ParseNode(node, index)));
                    break;
                case 5:
                    if (parts.Initializers.Count == MaxTensors) throw new InvalidDataException($"the graph has more than {MaxTensors} initializers");
                    int number = parts.Initializers.Count;
                    using (var message = graph.Message())
                    {
                        var tensor = Within($"initializer {number}", () => ParseTensor(message));
                        if (!parts.Initializers.TryAdd(tensor.Name, tensor)) throw new InvalidDataException($"two initializers are named '{tensor.Name}'");
                    }
                    break;
                case 11 or 12:
                    var list = graph.Field == 11 ? parts.Inputs : parts.Outputs;
                    if (list.Count == MaxValueInfos) throw new InvalidDataException($"the graph has more than {MaxValueInfos} {(graph.Field == 11 ? "inputs" : "outputs")}");
                    using (var message = graph.Message()) list.Add(ParseValueInfo(message));
                    break;
                case 15:
                    throw new InvalidDataException("the graph has sparse initializers, which VGG's weights are not");
                default: graph.Skip(); break;
            }
        }
        return parts;
    }

    private static OnnxNode ParseNode(ProtoFieldReader node, int index)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        string name = "", opType = "", domain = "";
        while (node.Next())
        {
            switch (node.Field)
            {
                case 1 or 2:
                    var names = node.Field == 1 ? inputs : outputs;
                    if (names.Count == MaxNodeNames) throw new InvalidDataException($"the node has more than {MaxNodeNames} {(node.Field == 1 ? "inputs" : "outputs")}");
                    names.Add(node.String());
                    break;
                case 3: name = node.String(); break;
                case 4: opType = node.String(); break;
                case 7: domain = node.String(); break;
                case 5:
                    if (attributes.Count == MaxAttributes) throw new InvalidDataException($"the node has more than {MaxAttributes} attributes");
                    using (var message = node.Message())
                    {
                        var attribute = ParseAttribute(message);
                        if (!attributes.TryAdd(attribute.Name, attribute)) throw new InvalidDataException($"the node has two attributes named '{attribute.Name}'");
                    }
                    break;
                default: node.Skip(); break;
            }
        }
        return new OnnxNode { Index = index, Name = name, OpType = opType, Domain = domain, Inputs = inputs, Outputs = outputs, Attributes = attributes };
    }

    private static OnnxAttribute ParseAttribute(ProtoFieldReader attribute)
    {
        string name = "", text = "";
        int type = 0;
        float f = 0;
        long i = 0;
        OnnxTensor? t = null;
        var ints = new List<long>();
        var floats = new List<float>();
        while (attribute.Next())
        {
            switch (attribute.Field)
            {
                case 1: name = attribute.String(); break;
                case 20: type = attribute.Int32(); break;
                case 2: f = attribute.Float(); break;
                case 3: i = attribute.Int64(); break;
                case 4: text = attribute.String(); break;
                case 5:
                    using (var message = attribute.Message()) t = Within("its tensor", () => ParseTensor(message));
                    break;
                case 7: attribute.RepeatedFloat(floats, MaxAttributeValues); break;
                case 8: attribute.RepeatedInt64(ints, MaxAttributeValues); break;
                default: attribute.Skip(); break;
            }
        }
        return new OnnxAttribute { Name = name, Type = type, F = f, I = i, S = text, T = t, Ints = ints, Floats = floats };
    }

    private static OnnxTensor ParseTensor(ProtoFieldReader tensor)
    {
        var dims = new List<long>();
        var int64s = new List<long>();
        var floats = new ProtoFloatData();
        (long Offset, long Length)? raw = null;
        string name = "";
        int dataType = 0;
        bool external = false;
        while (tensor.Next())
        {
            switch (tensor.Field)
            {
                case 1: tensor.RepeatedInt64(dims, MaxDims); break;
                case 2: dataType = tensor.Int32(); break;
                case 3: throw new InvalidDataException("the tensor is split into segments");
                case 4: floats.AddField(tensor); break;
                case 7: tensor.RepeatedInt64(int64s, OnnxTensor.MaxInt64Values); break;
                case 8: name = tensor.String(); break;
                case 9:
                    if (raw is not null) throw new InvalidDataException("the tensor has raw_data twice");
                    raw = tensor.Location();
                    break;
                case 13: external = true; tensor.Skip(); break;
                case 14: external |= tensor.Int32() == 1; break;
                default: tensor.Skip(); break;
            }
        }
        string what = $"tensor '{name}'";
        if (external)
            throw new InvalidDataException($"{what} keeps its data in an external file; VggSharp reads ONNX files that hold their weights (onnx.save_model with save_as_external_data=False, for models under 2 GiB)");
        if (dims.Any(d => d < 0)) throw new InvalidDataException($"{what} has a negative dimension in {WeightsTensor.FormatShape(dims)}");
        long count = 1;
        foreach (long d in dims)
        {
            count *= d;
            if (count > int.MaxValue) throw new InvalidDataException($"{what} of shape {WeightsTensor.FormatShape(dims)} has more values than one tensor can hold");
        }
        int stored = dataType switch { OnnxTensor.Float => floats.Count > 0 ? 1 : 0, OnnxTensor.Int64 => int64s.Count > 0 ? 1 : 0, _ => 0 } + (raw is null ? 0 : 1);
        if (stored > 1) throw new InvalidDataException($"{what} has its values both in raw_data and in a typed field");
        if (dataType == OnnxTensor.Float)
        {
            if (raw is { } r)
            {
                if (r.Length != count * sizeof(float)) throw new InvalidDataException($"{what} of shape {WeightsTensor.FormatShape(dims)} has {r.Length} bytes of raw_data instead of {count * sizeof(float)}");
                floats = count == 0 ? floats : new ProtoFloatData(new ProtoFloatRun(r.Offset, (int)count, ProtoFloatRun.Packed));
            }
            else if (floats.Count != count) throw new InvalidDataException($"{what} of shape {WeightsTensor.FormatShape(dims)} has {floats.Count} values instead of {count}");
            return new OnnxTensor(name, dataType, dims, floats, null, []);
        }
        if (dataType == OnnxTensor.Int64)
        {
            long values = raw is { } r ? (r.Length % sizeof(long) == 0 ? r.Length / sizeof(long) : -1) : int64s.Count;
            if (values != count) throw new InvalidDataException($"{what} of shape {WeightsTensor.FormatShape(dims)} has {(raw is null ? $"{values} int64 values" : $"{raw.Value.Length} bytes of raw_data")} instead of {count} values");
            return new OnnxTensor(name, dataType, dims, null, raw, int64s);
        }
        // Other types are kept by name and shape; using one for weights or shapes is refused where it happens.
        return new OnnxTensor(name, dataType, dims, null, null, []);
    }

    private static OnnxValueInfo ParseValueInfo(ProtoFieldReader valueInfo)
    {
        string name = "";
        List<long?>? dims = null;
        while (valueInfo.Next())
        {
            if (valueInfo.Field == 1) name = valueInfo.String();
            else if (valueInfo.Field == 2)
            {
                using var type = valueInfo.Message();
                while (type.Next())
                {
                    if (type.Field != 1)
                    {
                        type.Skip();
                        continue;
                    }
                    using var tensorType = type.Message();
                    while (tensorType.Next())
                    {
                        if (tensorType.Field != 2)
                        {
                            tensorType.Skip();
                            continue;
                        }
                        dims = [];
                        using var shape = tensorType.Message();
                        while (shape.Next())
                        {
                            if (shape.Field != 1)
                            {
                                shape.Skip();
                                continue;
                            }
                            if (dims.Count == MaxDims) throw new InvalidDataException($"'{name}' has more than {MaxDims} dimensions");
                            using var dimension = shape.Message();
                            long? size = null;
                            while (dimension.Next())
                            {
                                if (dimension.Field == 1) size = dimension.Int64();
                                else dimension.Skip(); // dim_param: a name for a size that varies
                            }
                            dims.Add(size);
                        }
                    }
                }
            }
            else valueInfo.Skip();
        }
        return new OnnxValueInfo(name, dims);
    }

    private static (string Domain, long Version) ParseOpset(ProtoFieldReader opset)
    {
        string domain = "";
        long version = 0;
        while (opset.Next())
        {
            if (opset.Field == 1) domain = opset.String();
            else if (opset.Field == 2) version = opset.Int64();
            else opset.Skip();
        }
        return (domain, version);
    }

    private static (string Key, string Value) ParseEntry(ProtoFieldReader entry)
    {
        string key = "", value = "";
        while (entry.Next())
        {
            if (entry.Field == 1) key = entry.String();
            else if (entry.Field == 2) value = entry.String();
            else entry.Skip();
        }
        return (key, value);
    }

    /// <summary>Runs <paramref name="parse"/>, prefixing a problem with where it lies.</summary>
    private static T Within<T>(string where, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
    }
}
