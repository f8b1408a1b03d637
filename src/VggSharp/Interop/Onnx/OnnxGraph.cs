using VggSharp.Layers;
using VggSharp.Models;

namespace VggSharp.Interop.Onnx;

/// <summary>
/// A model's inference graph in ONNX terms (onnx.proto's field numbers; operators of the default domain at
/// <see cref="OnnxExporter.Opset"/>): one node per layer, Dropout left out, named by the torchvision layer name with
/// its Caffe role in the doc string; the weights as initializers under their state keys; a symbolic batch dimension.
/// The graph's small parts are written here; the initializers' data is streamed by <see cref="OnnxExporter"/>.
/// </summary>
internal sealed class OnnxGraph
{
    public const string InputName = "input";
    public const string OutputName = "logits";
    public const string BatchDimension = "batch";

    // TensorProto.DataType.FLOAT; AttributeProto.AttributeType FLOAT, INT, INTS.
    private const int FloatType = 1;
    private const int AttributeFloat = 1, AttributeInt = 2, AttributeInts = 7;

    private OnnxGraph(byte[] structure, IReadOnlyList<StateEntry> initializers)
    {
        Structure = structure;
        Initializers = initializers;
    }

    /// <summary>GraphProto's fields other than the initializers: nodes, name, inputs and outputs.</summary>
    public byte[] Structure { get; }

    /// <summary>The float state entries, in layer order, that the nodes take as inputs.</summary>
    public IReadOnlyList<StateEntry> Initializers { get; }

    /// <summary>The graph of <paramref name="model"/>; a layer ONNX cannot express here is a <see cref="NotSupportedException"/>.</summary>
    public static OnnxGraph Of(VggModel model)
    {
        var graph = new ProtoWriter();
        string current = InputName;
        var layers = model.Network.Layers;
        int last = Enumerable.Range(0, layers.Count).Last(i => layers[i] is not Dropout);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (layer is Dropout) continue; // the identity in inference
            string result = i == last ? OutputName : layer.Name;
            graph.Message(1, Node(layer, model.LayerRoles[i], current, result));
            current = result;
        }
        graph.String(2, $"vggsharp_{model.Configuration.Name}");
        var options = model.Options;
        // The fully-convolutional form takes any image size and gives a class score map.
        Dimension[] input = model.IsFullyConvolutional
            ? [new(BatchDimension), new(options.InputChannels), new("height"), new("width")]
            : [new(BatchDimension), new(options.InputChannels), new(options.InputSize), new(options.InputSize)];
        Dimension[] output = model.IsFullyConvolutional
            ? [new(BatchDimension), new(options.Classes), new("scores_height"), new("scores_width")]
            : [new(BatchDimension), new(options.Classes)];
        graph.Message(11, ValueInfo(InputName, input));
        graph.Message(12, ValueInfo(OutputName, output));
        var initializers = model.State().Where(e => e.ElementType == StateElementType.Float32).ToList();
        return new OnnxGraph(graph.ToArray(), initializers);
    }

    /// <summary>TensorProto's fields other than raw_data: dims, data_type and name.</summary>
    public static byte[] InitializerHeader(StateEntry entry)
    {
        var tensor = new ProtoWriter();
        tensor.Varints(1, entry.Shape.Select(d => (long)d), packed: false).Varint(2, FloatType).String(8, entry.Key);
        return tensor.ToArray();
    }

    private static ProtoWriter Node(Layer layer, string role, string input, string output)
    {
        var node = new ProtoWriter();
        string[] inputs = [input];
        string Key(string name) => $"{layer.Name}.{name}";
        switch (layer)
        {
            case Conv2d c:
                inputs = [input, Key("weight"), Key("bias")];
                Operator(node, "Conv")
                    .Message(5, Ints("kernel_shape", c.KernelSize, c.KernelSize))
                    .Message(5, Ints("pads", c.Padding, c.Padding, c.Padding, c.Padding))
                    .Message(5, Ints("strides", 1, 1));
                break;
            case BatchNorm2d b:
                inputs = [input, Key("weight"), Key("bias"), Key("running_mean"), Key("running_var")];
                Operator(node, "BatchNormalization").Message(5, Float("epsilon", b.Epsilon));
                break;
            case ReLU:
                Operator(node, "Relu");
                break;
            case LocalResponseNorm n:
                Operator(node, "LRN")
                    .Message(5, Int("size", n.Settings.Size))
                    .Message(5, Float("alpha", n.Settings.Alpha))
                    .Message(5, Float("beta", n.Settings.Beta))
                    .Message(5, Float("bias", n.Settings.K));
                break;
            case MaxPool2d:
                Operator(node, "MaxPool").Message(5, Ints("kernel_shape", 2, 2)).Message(5, Ints("strides", 2, 2));
                break;
            case Flatten:
                Operator(node, "Flatten").Message(5, Int("axis", 1));
                break;
            case Linear:
                inputs = [input, Key("weight"), Key("bias")];
                Operator(node, "Gemm").Message(5, Int("transB", 1)); // y = x W^T + b, W stored [out, in]
                break;
            default:
                throw new NotSupportedException($"Layer {layer.Name} ({layer.Describe()}) has no ONNX export.");
        }
        foreach (string name in inputs) node.String(1, name);
        node.String(2, output).String(3, layer.Name).String(6, $"{role}: {layer.Describe()}");
        return node;
    }

    private static ProtoWriter Operator(ProtoWriter node, string type) => node.String(4, type);

    private static ProtoWriter Int(string name, long value) => new ProtoWriter().String(1, name).Varint(20, AttributeInt).Varint(3, (ulong)value);

    private static ProtoWriter Ints(string name, params long[] values) => new ProtoWriter().String(1, name).Varint(20, AttributeInts).Varints(8, values, packed: false);

    private static ProtoWriter Float(string name, float value) => new ProtoWriter().String(1, name).Varint(20, AttributeFloat).Float(2, value);

    /// <summary>A ValueInfoProto of a float tensor: TypeProto.tensor_type with elem_type and shape.</summary>
    private static ProtoWriter ValueInfo(string name, Dimension[] dimensions)
    {
        var shape = new ProtoWriter();
        foreach (var d in dimensions)
            shape.Message(1, d.Symbol is null ? new ProtoWriter().Varint(1, (ulong)d.Value) : new ProtoWriter().String(2, d.Symbol));
        var tensor = new ProtoWriter().Varint(1, FloatType).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensor));
    }

    /// <summary>A dimension of a graph input or output: a size, or a name for one that varies.</summary>
    private readonly record struct Dimension(long Value, string? Symbol = null)
    {
        public Dimension(string symbol) : this(0, symbol) { }
    }
}
