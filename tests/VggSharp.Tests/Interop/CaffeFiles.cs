using System.Runtime.InteropServices;
using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Tests.Interop;

/// <summary>How <see cref="CaffeFiles.From"/> writes a network.</summary>
/// <param name="V1">NetParameter.layers with V1LayerParameter (enum types, the original VGG release), or NetParameter.layer.</param>
/// <param name="Packed">Packed blob data and BlobShape dims, or one tag per value.</param>
/// <param name="LegacyShapes">num/channels/height/width (padded with leading ones), or BlobShape.</param>
/// <param name="ParameterlessLayers">ReLU, Pooling, Dropout and Softmax layers, which stripped files leave out.</param>
/// <param name="LayerParameters">convolution_param, pooling_param and the others.</param>
public sealed record CaffeFileStyle(bool V1 = true, bool Packed = true, bool LegacyShapes = true, bool ParameterlessLayers = true, bool LayerParameters = true);

/// <summary>Writes a model's weights as a Caffe NetParameter, with caffe.proto's field numbers, for round trips and damaged files.</summary>
internal static class CaffeFiles
{
    private static readonly Dictionary<string, int> V1Types = new()
    {
        ["Convolution"] = 4, ["Data"] = 5, ["Dropout"] = 6, ["InnerProduct"] = 14, ["LRN"] = 15, ["Pooling"] = 17, ["ReLU"] = 18, ["Softmax"] = 20,
    };

    /// <summary>The file's bytes.</summary>
    public static byte[] From(VggModel model, CaffeFileStyle style)
    {
        var net = new ProtoWriter().String(1, "VggSharp test");
        void Add(ProtoWriter layer) => net.Message(style.V1 ? 2 : 100, layer);
        foreach (var (layer, role) in model.Network.Layers.Zip(model.LayerRoles))
        {
            switch (layer)
            {
                case Conv2d c:
                    Add(Layer(style, role, "Convolution", [Blob(style, c.Weight.Value), Blob(style, c.Bias.Value)],
                        new ProtoWriter().Varint(1, (ulong)c.OutChannels).Varints(3, [c.Padding], packed: false).Varints(4, [c.KernelSize], packed: false)));
                    break;
                case Linear l:
                    Add(Layer(style, role, "InnerProduct", [Blob(style, l.Weight.Value), Blob(style, l.Bias.Value)], new ProtoWriter().Varint(1, (ulong)l.OutFeatures)));
                    break;
                case LocalResponseNorm n:
                    Add(Layer(style, role, "LRN", [], new ProtoWriter().Varint(1, (ulong)n.Settings.Size).Float(2, n.Settings.Alpha).Float(3, n.Settings.Beta).Float(5, n.Settings.K)));
                    break;
                case ReLU when style.ParameterlessLayers:
                    Add(Layer(style, role, "ReLU", [], null));
                    break;
                case MaxPool2d when style.ParameterlessLayers:
                    Add(Layer(style, role, "Pooling", [], new ProtoWriter().Varint(1, 0).Varint(2, 2).Varint(3, 2)));
                    break;
                case Dropout d when style.ParameterlessLayers:
                    Add(Layer(style, role, "Dropout", [], new ProtoWriter().Float(1, d.Probability)));
                    break;
                case BatchNorm2d:
                    throw new NotSupportedException("Caffe files of these tests have no batch norm.");
            }
        }
        if (style.ParameterlessLayers) Add(Layer(style, "prob", "Softmax", [], null));
        return net.ToArray();
    }

    /// <summary>A layer message.</summary>
    public static ProtoWriter Layer(CaffeFileStyle style, string name, string type, IEnumerable<ProtoWriter> blobs, ProtoWriter? parameters)
    {
        var layer = new ProtoWriter();
        if (style.V1) layer.String(4, name).Varint(5, (ulong)V1Types[type]);
        else layer.String(1, name).String(2, type);
        foreach (var blob in blobs) layer.Message(style.V1 ? 6 : 7, blob);
        if (parameters is not null && style.LayerParameters)
        {
            int field = (type, style.V1) switch
            {
                ("Convolution", true) => 10, ("Dropout", true) => 12, ("InnerProduct", true) => 17, ("LRN", true) => 18, ("Pooling", true) => 19, ("ReLU", true) => 30, ("Data", true) => 36,
                ("Convolution", false) => 106, ("Dropout", false) => 108, ("InnerProduct", false) => 117, ("LRN", false) => 118, ("Pooling", false) => 121, ("ReLU", false) => 123, ("Data", false) => 100,
                _ => throw new ArgumentException($"No parameters for {type}."),
            };
            layer.Message(field, parameters);
        }
        return layer;
    }

    /// <summary>A BlobProto of a tensor's values.</summary>
    public static ProtoWriter Blob(CaffeFileStyle style, Tensor tensor) => Blob(style, tensor.Span, tensor.Shape.ToArray().Select(d => (long)d).ToArray());

    /// <summary>A BlobProto of <paramref name="values"/> with <paramref name="shape"/>.</summary>
    public static ProtoWriter Blob(CaffeFileStyle style, ReadOnlySpan<float> values, long[] shape)
    {
        var blob = new ProtoWriter();
        if (style.LegacyShapes)
        {
            long[] dims = [.. Enumerable.Repeat(1L, 4 - shape.Length), .. shape];
            for (int i = 0; i < 4; i++) blob.Varint(i + 1, (ulong)dims[i]);
        }
        else blob.Message(7, new ProtoWriter().Varints(1, shape, style.Packed));
        if (style.Packed) return blob.Bytes(5, MemoryMarshal.AsBytes(values));
        foreach (float v in values) blob.Float(5, v);
        return blob;
    }
}
