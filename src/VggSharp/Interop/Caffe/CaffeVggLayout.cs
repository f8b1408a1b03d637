using System.Globalization;
using System.Text.RegularExpressions;
using VggSharp.Kernels;
using VggSharp.Models;

namespace VggSharp.Interop.Caffe;

/// <summary>
/// The VGG network that a Caffe file's layers describe, worked out from the blobs' shapes and checked against every
/// parameter the file states: 3x3 (or 1x1) convolutions with padding 1 (0) and stride 1, 2x2 max pooling with stride
/// 2, Krizhevsky's LRN, ReLU after every convolution and after fc6 and fc7, three fully-connected layers. The pooling
/// stages come from the Pooling layers or, in a file stripped of its parameterless layers, from the convolutions'
/// names (conv{stage}_{index}); the input size from fc6's inputs. Anything else is an <see cref="InvalidDataException"/>
/// that names the layer.
/// </summary>
internal sealed partial class CaffeVggLayout
{
    private static readonly HashSet<string> PassiveTypes = new(StringComparer.Ordinal)
    {
        "Data", "Input", "ImageData", "MemoryData", "HDF5Data", "WindowData", "DummyData", "HDF5Output", "Softmax", "SoftmaxWithLoss",
        "MultinomialLogisticLoss", "InfogainLoss", "Accuracy", "ArgMax", "Silence", "Split", "Flatten",
    };

    private CaffeVggLayout(List<FeatureItem> features, List<CaffeLayer> convolutions, List<CaffeLayer> fullyConnected, int inputSize, float? dropout,
        CaffeLayer? data)
    {
        Features = features;
        Convolutions = convolutions;
        FullyConnected = fullyConnected;
        InputChannels = (int)convolutions[0].Blobs[0].Shape[1];
        InputSize = inputSize;
        HiddenUnits = (int)fullyConnected[0].Blobs[1].Count;
        Classes = (int)fullyConnected[2].Blobs[1].Count;
        Dropout = dropout;
        DefaultPreprocessing = data?.Transform is { } t ? Stated(data, t, InputChannels)
            : InputChannels == 3 ? Preprocessing.Caffe : Preprocessing.MeanSubtraction(InputChannels);
    }

    /// <summary>The convolutional part, channels as in the file.</summary>
    public IReadOnlyList<FeatureItem> Features { get; }

    /// <summary>The convolution layers, in order (conv1_1 first).</summary>
    public IReadOnlyList<CaffeLayer> Convolutions { get; }

    /// <summary>fc6, fc7 and fc8.</summary>
    public IReadOnlyList<CaffeLayer> FullyConnected { get; }

    /// <summary>The first convolution's input channels.</summary>
    public int InputChannels { get; }

    /// <summary>The input size at which fc6 gets the number of inputs it has.</summary>
    public int InputSize { get; }

    /// <summary>fc6's and fc7's outputs.</summary>
    public int HiddenUnits { get; }

    /// <summary>fc8's outputs.</summary>
    public int Classes { get; }

    /// <summary>The first Dropout layer's ratio, if the file has one.</summary>
    public float? Dropout { get; }

    /// <summary>The convolutional part as a layer string ("64,64,M,...").</summary>
    public string LayerString => string.Join(",", Features);

    /// <summary>
    /// What the weights expect: the scale and mean a data layer of the file states, or else those of Caffe's VGG models
    /// (BGR, 0-255, minus the mean pixel); without three channels and a stated mean, 0-255 with no mean known.
    /// </summary>
    public Preprocessing DefaultPreprocessing { get; }

    /// <summary>Works out and checks the network of <paramref name="layers"/>.</summary>
    public static CaffeVggLayout Of(IReadOnlyList<CaffeLayer> layers)
    {
        if (layers.Count == 0) throw new InvalidDataException("the file has no layers; it is not a Caffe model");
        var features = new List<FeatureItem>();
        List<CaffeLayer> convolutions = [], fullyConnected = [];
        CaffeLayer? awaitingRelu = null, missingRelu = null;
        bool anyPooling = false, anyRelu = false;
        float? dropout = null;
        CaffeLayer? data = null;
        foreach (var layer in layers)
        {
            if (layer.Type is "Convolution" or "InnerProduct" or "Pooling" or "LRN")
            {
                missingRelu ??= awaitingRelu;
                awaitingRelu = null;
            }
            switch (layer.Type)
            {
                case "Convolution":
                    if (fullyConnected.Count > 0) throw Problem(layer, "is a convolution after the fully-connected layers");
                    features.Add(CheckConvolution(layer, convolutions.Count == 0 ? null : convolutions[^1]));
                    convolutions.Add(layer);
                    awaitingRelu = layer;
                    break;
                case "Pooling":
                    if (fullyConnected.Count > 0) throw Problem(layer, "is a pooling layer after the fully-connected layers");
                    CheckPooling(layer);
                    features.Add(new FeatureItem(FeatureKind.MaxPool));
                    anyPooling = true;
                    break;
                case "LRN":
                    if (convolutions.Count == 0 || fullyConnected.Count > 0) throw Problem(layer, "is an LRN layer outside the convolutional part");
                    CheckLrn(layer);
                    features.Add(new FeatureItem(FeatureKind.LocalResponseNorm));
                    break;
                case "InnerProduct":
                    if (convolutions.Count == 0) throw Problem(layer, "is a fully-connected layer before any convolution");
                    if (fullyConnected.Count == 3) throw Problem(layer, "is a fourth fully-connected layer; VGG has three (fc6, fc7, fc8)");
                    CheckInnerProduct(layer, fullyConnected.Count == 0 ? null : fullyConnected[^1], isFc7: fullyConnected.Count == 1);
                    fullyConnected.Add(layer);
                    if (fullyConnected.Count < 3) awaitingRelu = layer;
                    break;
                case "ReLU":
                    if (layer.NegativeSlope is float slope && slope != 0)
                        throw Problem(layer, $"is a leaky ReLU (negative slope {slope.ToString(CultureInfo.InvariantCulture)}); VGG's is plain");
                    if (awaitingRelu is null) throw Problem(layer, "is a ReLU where VGG has none");
                    awaitingRelu = null;
                    anyRelu = true;
                    break;
                case "Dropout":
                    dropout ??= layer.DropoutRatio ?? 0.5f;
                    break;
                case "BatchNorm" or "Scale":
                    throw Problem(layer, "is batch normalisation in Caffe's form, which VggSharp does not read from Caffe files");
                default:
                    if (!PassiveTypes.Contains(layer.Type))
                        throw Problem(layer, $"has type '{layer.Type}', which is not part of a VGG network");
                    if (data is null && layer.Transform is { MeanValues.Count: > 0 }) data = layer;
                    break;
            }
            if (layer.Type is not ("Convolution" or "InnerProduct") && layer.Blobs.Count > 0)
                throw Problem(layer, $"carries weights ({layer.Blobs.Count} blobs), which a {layer.Type} layer of VGG does not have");
        }
        missingRelu ??= awaitingRelu;
        // A file stripped of its parameterless layers has no ReLU at all; otherwise each must be in its place.
        if (anyRelu && missingRelu is not null) throw Problem(missingRelu, "is not followed by a ReLU, as it is in VGG");
        if (convolutions.Count == 0) throw new InvalidDataException("the network has no convolution");
        if (fullyConnected.Count != 3) throw new InvalidDataException($"the network has {fullyConnected.Count} fully-connected layers; VGG has three (fc6, fc7, fc8)");
        if (!anyPooling) features = PoolsFromNames(features, convolutions);
        return new CaffeVggLayout(features, convolutions, fullyConnected, InputSizeOf(features, fullyConnected[0]), dropout, data);
    }

    /// <summary>The options of the network the file holds: a Table 1 configuration when the layers are one, else the layer string.</summary>
    public VggOptions ToOptions()
    {
        string configuration = VggConfiguration.KnownNames
            .Where(n => !n.EndsWith("BN", StringComparison.OrdinalIgnoreCase))
            .Select(VggConfiguration.Parse)
            .FirstOrDefault(c => c.Features.SequenceEqual(Features))?.Name ?? LayerString;
        return new VggOptions
        {
            Configuration = configuration,
            Classes = Classes,
            InputChannels = InputChannels,
            InputSize = InputSize,
            Head = HiddenUnits == 4096 ? VggHead.Paper : VggHead.Small,
            HiddenUnits = HiddenUnits,
            Dropout = Dropout is float p && p >= 0 && p < 1 ? p : new VggOptions().Dropout,
            Preprocessing = DefaultPreprocessing,
        };
    }

    /// <summary>Throws unless <paramref name="options"/> describe this network.</summary>
    public void CheckMatches(VggOptions options, VggConfiguration configuration)
    {
        var scaled = configuration.Features.Select(f => f.Kind == FeatureKind.Convolution ? f with { Channels = options.Scaled(f.Channels) } : f).ToList();
        string requested = $"configuration {configuration.Name} at width {options.WidthMultiplier.ToString(CultureInfo.InvariantCulture)}";
        if (configuration.BatchNorm) throw new InvalidDataException($"{requested} has batch normalisation, which the file does not");
        if (!scaled.SequenceEqual(Features))
            throw new InvalidDataException($"the file's convolutional part is {LayerString} but {requested} has {string.Join(",", scaled)}");
        void Same(string what, int file, int model)
        {
            if (file != model) throw new InvalidDataException($"the file's network has {file} {what} but the options give {model}");
        }
        Same("input channels", InputChannels, options.InputChannels);
        Same("classes", Classes, options.Classes);
        Same("hidden units", HiddenUnits, options.EffectiveHiddenUnits);
        Same("as input size (from fc6's inputs)", InputSize, options.InputSize);
    }

    private static FeatureItem CheckConvolution(CaffeLayer layer, CaffeLayer? previous)
    {
        var (weight, bias) = WeightAndBias(layer);
        if (weight.Shape.Count != 4) throw Problem(layer, $"has a weight of shape {weight.ShapeText}; a convolution's is [outputs, inputs, height, width]");
        long outputs = weight.Shape[0], inputs = weight.Shape[1], kernel = weight.Shape[2];
        if (outputs == 0 || inputs == 0) throw Problem(layer, $"has an empty weight of shape {weight.ShapeText}");
        if (kernel != weight.Shape[3] || kernel is not (1 or 3))
            throw Problem(layer, $"has {weight.Shape[2]}x{weight.Shape[3]} kernels; VGG's are 3x3 (and 1x1 in configuration C)");
        if (bias.Count != outputs) throw Problem(layer, $"has {bias.Count} biases for {outputs} outputs");
        long expectedInputs = previous is null ? inputs : previous.Blobs[0].Shape[0];
        if (inputs != expectedInputs) throw Problem(layer, $"takes {inputs} channels but {previous!.Name} gives {expectedInputs}");
        if (layer.Convolution is { } p)
        {
            if (p.NumOutput is uint n && n != outputs) throw Problem(layer, $"says {n} outputs but its weight has {outputs}");
            if ((p.KernelH is uint kh && kh != kernel) || (p.KernelW is uint kw && kw != kernel))
                throw Problem(layer, $"says {p.KernelH}x{p.KernelW} kernels but its weight has {kernel}x{kernel}");
            long pad = kernel / 2;
            if (p.PadH != pad || p.PadW != pad) throw Problem(layer, $"pads by {p.PadH}x{p.PadW}; VGG's {kernel}x{kernel} convolutions pad by {pad}");
            if (p.StrideH != 1 || p.StrideW != 1) throw Problem(layer, $"has stride {p.StrideH}x{p.StrideW}; VGG's convolutions have stride 1");
            if (p.Dilation != 1 || p.Group != 1 || p.Axis != 1) throw Problem(layer, "is dilated, grouped or on another axis, which VGG's convolutions are not");
        }
        if (inputs > int.MaxValue || outputs > int.MaxValue) throw Problem(layer, $"has a weight of shape {weight.ShapeText}, too large");
        return new FeatureItem(FeatureKind.Convolution, (int)outputs, (int)kernel);
    }

    private static void CheckPooling(CaffeLayer layer)
    {
        if (layer.Pooling is not { } p) return; // a stripped file: VGG's pooling
        if (p.Method != CaffePoolMethod.Max || p.Global || p.KernelH != 2 || p.KernelW != 2 || p.StrideH != 2 || p.StrideW != 2 || p.PadH != 0 || p.PadW != 0)
            throw Problem(layer, $"is {p.Method} pooling{(p.Global ? " (global)" : "")}, kernel {p.KernelH}x{p.KernelW}, stride {p.StrideH}x{p.StrideW}, pad {p.PadH}x{p.PadW}; VGG's is max pooling, kernel 2x2, stride 2, pad 0");
    }

    private static void CheckLrn(CaffeLayer layer)
    {
        var ours = LrnParameters.Krizhevsky;
        if (layer.Lrn is not { } p) return;
        static bool Near(float a, float b) => Math.Abs(a - b) <= 1e-6f * Math.Abs(b);
        if (!p.AcrossChannels || p.LocalSize != ours.Size || !Near(p.Alpha, ours.Alpha) || !Near(p.Beta, ours.Beta) || !Near(p.K, ours.K))
            throw Problem(layer, string.Create(CultureInfo.InvariantCulture,
                $"is LRN {(p.AcrossChannels ? "across" : "within")} channels, size {p.LocalSize}, alpha {p.Alpha}, beta {p.Beta}, k {p.K}; VggSharp's (A-LRN) is across channels, size {ours.Size}, alpha {ours.Alpha}, beta {ours.Beta}, k {ours.K}"));
    }

    private static void CheckInnerProduct(CaffeLayer layer, CaffeLayer? previous, bool isFc7)
    {
        var (weight, bias) = WeightAndBias(layer);
        long outputs = bias.Count;
        if (outputs == 0 || weight.Count % outputs != 0) throw Problem(layer, $"has a weight of shape {weight.ShapeText} for {outputs} biases");
        long inputs = weight.Count / outputs;
        // [outputs, inputs], padded with leading ones in the legacy layout, or [outputs, channels, height, width].
        long[] squeezed = weight.SqueezedShape;
        bool plain = squeezed.SequenceEqual([outputs, inputs]) || (outputs == 1 && squeezed.SequenceEqual([inputs]));
        if (!plain && !(weight.Shape.Count == 4 && weight.Shape[0] == outputs))
            throw Problem(layer, $"has a weight of shape {weight.ShapeText}, not [{outputs}, {inputs}]");
        if (previous is not null && inputs != previous.Blobs[1].Count)
            throw Problem(layer, $"takes {inputs} inputs but {previous.Name} gives {previous.Blobs[1].Count}");
        if (isFc7 && outputs != inputs) throw Problem(layer, $"maps {inputs} to {outputs} units; VGG's fc7 keeps fc6's number of units");
        if (layer.InnerProduct is { } p)
        {
            if (p.NumOutput is uint n && n != outputs) throw Problem(layer, $"says {n} outputs but has {outputs} biases");
            if (p.Transpose) throw Problem(layer, "stores its weight transposed, which VGG files do not");
            if (p.Axis != 1) throw Problem(layer, $"flattens from axis {p.Axis}; VGG's fully-connected layers flatten from axis 1");
        }
    }

    private static (CaffeBlob Weight, CaffeBlob Bias) WeightAndBias(CaffeLayer layer) => layer.Blobs.Count switch
    {
        2 => (layer.Blobs[0], layer.Blobs[1]),
        1 => throw Problem(layer, "has a weight but no bias; VGG's layers all have biases"),
        0 => throw Problem(layer, "has no weights (a network definition rather than trained weights?)"),
        _ => throw Problem(layer, $"has {layer.Blobs.Count} blobs; a VGG layer has a weight and a bias"),
    };

    /// <summary>Max pooling after each stage, for a file without Pooling layers whose convolutions are named conv{stage}_{index}.</summary>
    private static List<FeatureItem> PoolsFromNames(List<FeatureItem> features, List<CaffeLayer> convolutions)
    {
        var stages = convolutions.Select(c => ConvolutionName().Match(c.Name)).ToList();
        if (stages.Any(m => !m.Success))
            throw new InvalidDataException("the file has no pooling layers and its convolutions are not all named conv{stage}_{index}, so where VGG pools cannot be told");
        var result = new List<FeatureItem>();
        int convolution = 0;
        foreach (var item in features)
        {
            if (item.Kind == FeatureKind.Convolution && convolution > 0 && stages[convolution].Groups[1].Value != stages[convolution - 1].Groups[1].Value)
                result.Add(new FeatureItem(FeatureKind.MaxPool));
            if (item.Kind == FeatureKind.Convolution) convolution++;
            result.Add(item);
        }
        result.Add(new FeatureItem(FeatureKind.MaxPool));
        return result;
    }

    private static int InputSizeOf(List<FeatureItem> features, CaffeLayer fc6)
    {
        int channels = features.Last(f => f.Kind == FeatureKind.Convolution).Channels;
        int pools = features.Count(f => f.Kind == FeatureKind.MaxPool);
        long inputs = fc6.Blobs[0].Count / fc6.Blobs[1].Count;
        long map = inputs % channels == 0 ? (long)Math.Round(Math.Sqrt(inputs / (double)channels)) : 0;
        if (map < 1 || map * map * channels != inputs)
            throw Problem(fc6, $"takes {inputs} inputs, which are not the {channels} channels of a square feature map");
        long size = map << Math.Min(pools, 30);
        if (pools > 12 || size > 4096) throw Problem(fc6, $"takes a {map}x{map} feature map after {pools} poolings, an input larger than 4096");
        return (int)size;
    }

    /// <summary>Caffe's (pixel - mean) * scale as a <see cref="Preprocessing"/>, BGR for three channels as Caffe's image layers read them.</summary>
    private static Preprocessing Stated(CaffeLayer layer, CaffeTransform transform, int channels)
    {
        var means = transform.MeanValues;
        if (means.Count != 1 && means.Count != channels)
            throw Problem(layer, $"states {means.Count} mean values for {channels} input channels");
        float scale = transform.Scale;
        float[] mean = Enumerable.Range(0, channels).Select(c => means[means.Count == 1 ? 0 : c] * scale).ToArray();
        var preprocessing = new Preprocessing(scale, mean, Enumerable.Repeat(1f, channels).ToArray(), Bgr: channels == 3);
        try
        {
            preprocessing.Validate(channels);
        }
        catch (ArgumentException e)
        {
            throw Problem(layer, $"states a transformation VggSharp cannot apply (scale {scale.ToString(CultureInfo.InvariantCulture)}): {e.Message}");
        }
        return preprocessing;
    }

    private static InvalidDataException Problem(CaffeLayer layer, string problem) => new($"{layer.Describe()} {problem}");

    [GeneratedRegex(@"^conv(\d+)_\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex ConvolutionName();
}
