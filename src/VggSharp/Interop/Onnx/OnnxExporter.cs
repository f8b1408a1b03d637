using System.Globalization;
using System.Reflection;
using VggSharp.Models;

namespace VggSharp.Interop.Onnx;

/// <summary>
/// Exports VggSharp models as ONNX files for other runtimes: a ModelProto of IR version 7 importing the default
/// operator set at version 13, with standard operators only (Conv, Relu, MaxPool, Flatten, Gemm, and LRN and
/// BatchNormalization where the model has them; Dropout is the identity in inference and is left out), the weights
/// as initializers under torchvision's keys, and a symbolic batch dimension. The architecture and preprocessing are
/// recorded in metadata_props under the same "vggsharp.*" keys as in VggSharp's safetensors files, and described in
/// words in the model's doc string, since the logits are only right for inputs prepared that way. Written by field
/// number with Google.Protobuf, the weights streamed from the model's memory, atomically.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX IR version written (ONNX 1.8's, which introduced opset 13).</summary>
    public const int IrVersion = 7;

    /// <summary>The version of the default operator set the graph uses.</summary>
    public const int Opset = 13;

    /// <summary>Metadata key saying whether the graph is the fully-convolutional form ("true") or the plain one ("false").</summary>
    public const string FullyConvolutionalKey = ModelMetadata.Prefix + "fully_convolutional";

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/>. The plain form takes [batch, channels, size, size]
    /// and gives logits [batch, classes]; the fully-convolutional form (<see cref="VggModel.ToFullyConvolutional"/>)
    /// takes any image size and gives a class score map. <paramref name="classNames"/>, when given, are stored as
    /// in safetensors files. A model whose file would pass protobuf's 2 GiB limit is refused before anything is written.
    /// </summary>
    public static void Export(VggModel model, string path, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = OnnxGraph.Of(model);
        var headers = graph.Initializers.Select(OnnxGraph.InitializerHeader).ToList();
        // TensorProto content: the header fields, then raw_data (field 9) with the little-endian floats.
        var tensorLengths = graph.Initializers.Zip(headers, (entry, header) => header.Length + ProtoWriter.FieldSize(9, entry.ByteLength)).ToList();
        long graphLength = graph.Structure.Length + tensorLengths.Sum(length => ProtoWriter.FieldSize(5, length));
        byte[] head = Head(model).ToArray();
        byte[] tail = Metadata(model, classNames).ToArray();
        long total = head.Length + ProtoWriter.FieldSize(7, graphLength) + tail.Length;
        if (total > int.MaxValue)
            throw new NotSupportedException($"The ONNX file would have {total} bytes; protobuf files hold less than 2 GiB, and this exporter does not write ONNX's external data.");

        AtomicFile.Write(path, stream =>
        {
            var file = new ProtoWriter(stream);
            file.Raw(head).Header(7, (ulong)graphLength).Raw(graph.Structure);
            for (int i = 0; i < headers.Count; i++)
                file.Header(5, (ulong)tensorLengths[i]).Raw(headers[i]).Header(9, (ulong)graph.Initializers[i].ByteLength).Raw(graph.Initializers[i].HostBytes());
            file.Raw(tail).Flush();
            if (stream.Position != total) throw new InvalidOperationException($"The ONNX file has {stream.Position} bytes where {total} were computed.");
        });
    }

    /// <summary>ir_version, opset_import, producer and doc string.</summary>
    private static ProtoWriter Head(VggModel model)
    {
        var version = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        return new ProtoWriter()
            .Varint(1, IrVersion)
            .Message(8, new ProtoWriter().String(1, "").Varint(2, Opset))
            .String(2, "VggSharp")
            .String(3, version)
            .String(6, Describe(model));
    }

    /// <summary>metadata_props: StringStringEntryProto key and value, in key order.</summary>
    private static ProtoWriter Metadata(VggModel model, IReadOnlyList<string>? classNames)
    {
        var metadata = ModelMetadata.From(model.Options);
        metadata[FullyConvolutionalKey] = model.IsFullyConvolutional ? "true" : "false";
        if (classNames is not null) metadata[ModelMetadata.ClassNamesKey] = ModelMetadata.ClassNamesValue(classNames, model.Options.Classes);
        var writer = new ProtoWriter();
        foreach (var (key, value) in metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
            writer.Message(14, new ProtoWriter().String(1, key).String(2, value));
        return writer;
    }

    /// <summary>What the graph computes and how its input must be prepared, for people reading the file.</summary>
    private static string Describe(VggModel model)
    {
        var o = model.Options;
        var p = o.EffectivePreprocessing;
        string List(float[] values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        string size = model.IsFullyConvolutional ? "any height and width" : $"{o.InputSize}x{o.InputSize}";
        string output = model.IsFullyConvolutional ? "a map of class scores (logits)" : "logits";
        return string.Create(CultureInfo.InvariantCulture,
            $"VGG configuration {model.Configuration.Name} ({model.Configuration.WeightLayers} weight layers), exported by VggSharp. " +
            $"Input '{OnnxGraph.InputName}': float32 NCHW, {o.InputChannels} channels{(p.Bgr ? " in BGR order" : "")}, {size}; " +
            $"each pixel value v in 0-255 becomes (v * {p.PixelScale:R} - mean) / std with mean ({List(p.Mean)}) and std ({List(p.Std)}). " +
            $"Output '{OnnxGraph.OutputName}': {output} for {o.Classes} classes, before softmax.");
    }
}
