using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Caffe;

/// <summary>
/// Reads a .caffemodel (a serialised NetParameter) into its layers, in order, with each blob's shape and the location
/// of its values but not the values themselves. Both layer formats are read: NetParameter.layers (field 2,
/// V1LayerParameter, the 2014 format of the original VGG release) and NetParameter.layer (field 100,
/// LayerParameter). Field numbers are caffe.proto's. What the reader keeps is bounded (layers, blobs, axes, runs of
/// values), so a hostile file cannot make it hold much more than the file's own size.
/// </summary>
internal static class CaffeNetParser
{
    private const int MaxLayers = 1024;
    private const int MaxBlobsPerLayer = 16;
    private const int MaxAxes = 32; // Caffe's kMaxBlobAxes

    /// <summary>The layers; a malformed file gives <see cref="InvalidDataException"/> or <see cref="InvalidProtocolBufferException"/>.</summary>
    public static List<CaffeLayer> Parse(SafeFileHandle file, long length)
    {
        var layers = new List<CaffeLayer>();
        bool v1 = false, v2 = false;
        using var net = ProtoFieldReader.Open(file, length);
        while (net.Next())
        {
            if (net.Field is not (2 or 100))
            {
                net.Skip();
                continue;
            }
            if (layers.Count == MaxLayers) throw new InvalidDataException($"the network has more than {MaxLayers} layers");
            if (net.Field == 2) v1 = true;
            else v2 = true;
            if (v1 && v2) throw new InvalidDataException("the network mixes V1 layers (NetParameter.layers) and layers (NetParameter.layer)");
            int index = layers.Count;
            try
            {
                using var layer = net.Message();
                layers.Add(v1 ? ParseV1Layer(layer, index) : ParseLayer(layer, index));
            }
            catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
            {
                throw new InvalidDataException($"layer {index}: {e.Message}", e);
            }
        }
        return layers;
    }

    private static CaffeLayer ParseV1Layer(ProtoFieldReader reader, int index)
    {
        var builder = new LayerBuilder();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: throw new InvalidDataException("V0 layer parameters (Caffe before 2014); upgrade the file with Caffe's upgrade_net_proto_binary");
                case 4: builder.Name = reader.String(); break;
                case 5: builder.Type = CaffeLayerTypes.FromV1(reader.UInt32()); break;
                case 6: builder.AddBlob(reader); break;
                case 10: builder.Parameters(reader, ParameterKind.Convolution); break;
                case 12: builder.Parameters(reader, ParameterKind.Dropout); break;
                case 17: builder.Parameters(reader, ParameterKind.InnerProduct); break;
                case 18: builder.Parameters(reader, ParameterKind.Lrn); break;
                case 19: builder.Parameters(reader, ParameterKind.Pooling); break;
                case 30: builder.Parameters(reader, ParameterKind.ReLU); break;
                case 36: builder.Parameters(reader, ParameterKind.Transform); break;
                default: reader.Skip(); break;
            }
        }
        return builder.Build(index);
    }

    private static CaffeLayer ParseLayer(ProtoFieldReader reader, int index)
    {
        var builder = new LayerBuilder();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: builder.Name = reader.String(); break;
                case 2: builder.Type = reader.String(); break;
                case 7: builder.AddBlob(reader); break;
                case 106: builder.Parameters(reader, ParameterKind.Convolution); break;
                case 108: builder.Parameters(reader, ParameterKind.Dropout); break;
                case 117: builder.Parameters(reader, ParameterKind.InnerProduct); break;
                case 118: builder.Parameters(reader, ParameterKind.Lrn); break;
                case 121: builder.Parameters(reader, ParameterKind.Pooling); break;
                case 123: builder.Parameters(reader, ParameterKind.ReLU); break;
                case 100: builder.Parameters(reader, ParameterKind.Transform); break;
                default: reader.Skip(); break;
            }
        }
        return builder.Build(index);
    }

    /// <summary>A BlobProto: shape (field 7, BlobShape.dim 1) or legacy num/channels/height/width (1-4), float data (5).</summary>
    private static CaffeBlob ParseBlob(ProtoFieldReader reader)
    {
        var shape = new List<long>();
        bool hasShape = false;
        var legacy = new long?[4];
        var data = new ProtoFloatData();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case >= 1 and <= 4:
                    legacy[reader.Field - 1] = reader.Int32();
                    break;
                case 5:
                    data.AddField(reader);
                    break;
                case 7:
                    hasShape = true;
                    using (var blobShape = reader.Message())
                    {
                        while (blobShape.Next())
                        {
                            if (blobShape.Field == 1) blobShape.RepeatedInt64(shape, MaxAxes);
                            else blobShape.Skip();
                        }
                    }
                    break;
                case 8:
                    throw new InvalidDataException("the blob holds double-precision data; only float blobs are supported");
                default:
                    reader.Skip(); // diff and double_diff (gradients), unknown fields
                    break;
            }
        }

        if (!hasShape)
        {
            if (legacy.All(d => d is null)) throw new InvalidDataException("a blob has neither a shape nor num, channels, height and width");
            shape.AddRange(legacy.Select(d => d ?? 0));
        }
        if (shape.Any(d => d < 0)) throw new InvalidDataException($"a blob has a negative dimension in [{string.Join(", ", shape)}]");
        long expected = 1;
        foreach (long d in shape)
        {
            expected *= d;
            if (expected > int.MaxValue) throw new InvalidDataException($"a blob of shape [{string.Join(", ", shape)}] has more values than one tensor can hold");
        }
        var blob = new CaffeBlob(shape, data);
        if (blob.Count != expected) throw new InvalidDataException($"a blob of shape {blob.ShapeText} has {blob.Count} values instead of {expected}");
        return blob;
    }

    private static float SingleFloat(ProtoFieldReader reader, int field, float fallback)
    {
        float value = fallback;
        while (reader.Next())
        {
            if (reader.Field == field) value = reader.Float();
            else reader.Skip();
        }
        return value;
    }

    private enum ParameterKind { Convolution, Dropout, InnerProduct, Lrn, Pooling, ReLU, Transform }

    /// <summary>Collects a layer's fields in whichever order they come.</summary>
    private sealed class LayerBuilder
    {
        private readonly List<CaffeBlob> _blobs = [];
        private CaffeConvolution? _convolution;
        private CaffePooling? _pooling;
        private CaffeLrn? _lrn;
        private CaffeInnerProduct? _innerProduct;
        private CaffeTransform? _transform;
        private float? _dropout, _slope;

        public string Name { get; set; } = "";

        public string Type { get; set; } = "";

        public void AddBlob(ProtoFieldReader reader)
        {
            if (_blobs.Count == MaxBlobsPerLayer) throw new InvalidDataException($"the layer has more than {MaxBlobsPerLayer} blobs");
            using var blob = reader.Message();
            try
            {
                _blobs.Add(ParseBlob(blob));
            }
            catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
            {
                throw new InvalidDataException($"blob {_blobs.Count}: {e.Message}", e);
            }
        }

        // Should a parameter message occur twice, the last one is used.
        public void Parameters(ProtoFieldReader reader, ParameterKind kind)
        {
            using var message = reader.Message();
            switch (kind)
            {
                case ParameterKind.Convolution: _convolution = CaffeConvolution.Parse(message); break;
                case ParameterKind.Pooling: _pooling = CaffePooling.Parse(message); break;
                case ParameterKind.Lrn: _lrn = CaffeLrn.Parse(message); break;
                case ParameterKind.InnerProduct: _innerProduct = CaffeInnerProduct.Parse(message); break;
                case ParameterKind.Dropout: _dropout = SingleFloat(message, 1, 0.5f); break;
                case ParameterKind.ReLU: _slope = SingleFloat(message, 1, 0f); break;
                case ParameterKind.Transform: _transform = CaffeTransform.Parse(message); break;
            }
        }

        public CaffeLayer Build(int index) => new(index, Name, Type, _blobs)
        {
            Convolution = _convolution, Pooling = _pooling, Lrn = _lrn, InnerProduct = _innerProduct, DropoutRatio = _dropout, NegativeSlope = _slope,
            Transform = _transform,
        };
    }
}
