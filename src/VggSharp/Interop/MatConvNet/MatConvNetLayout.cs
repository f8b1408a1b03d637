using VggSharp.Interop.Mat;
using VggSharp.Models;

namespace VggSharp.Interop.MatConvNet;

/// <summary>
/// The VGG network of a MatConvNet simplenn model (the layers cell array, and meta's normalization and classes, or the
/// same at the top level as older releases have them): every conv, relu, pool, dropout and softmax layer checked
/// (3x3 convolutions padded by 1, or 1x1 by 0; stride 1; 2x2 max pooling with stride 2; a ReLU after every
/// convolution but the last), the convolutions before the last pooling as the features and the three after it as
/// fc6 (a convolution over the whole map), fc7 and fc8. Anything else is an <see cref="InvalidDataException"/> that names the layer.
/// </summary>
internal sealed class MatConvNetLayout
{
    private static readonly HashSet<string> Passive = new(StringComparer.Ordinal) { "relu", "dropout", "softmax", "softmaxloss" };
    private static readonly string[] Classifier = ["classifier.0", "classifier.3", "classifier.6"];

    private MatConvNetLayout(List<(WeightsTensor Info, MatNumeric Data, int Kernel)> tensors, Preprocessing preprocessing, IReadOnlyList<string>? classNames)
    {
        Tensors = tensors;
        Preprocessing = preprocessing;
        ClassNames = classNames;
    }

    /// <summary>Each weight and bias under torchvision's key and shape, its array, and its kernel side (1 for biases and 1x1 kernels).</summary>
    public IReadOnlyList<(WeightsTensor Info, MatNumeric Data, int Kernel)> Tensors { get; }

    /// <summary>0-255 RGB minus meta.normalization.averageImage (its per-channel mean when it is a whole image).</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>meta.classes.description, or null when the file has none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Works out the network of a MAT-file's variables.</summary>
    public static MatConvNetLayout Of(Dictionary<string, MatValue> variables)
    {
        IReadOnlyDictionary<string, MatValue> net = variables.TryGetValue("net", out var saved) && saved is MatStruct { Elements.Count: 1 } s ? s.Elements[0] : variables;
        if (!net.TryGetValue("layers", out var layersValue))
            throw new InvalidDataException($"a MAT-file without MatConvNet's layers (its variables: {string.Join(", ", variables.Keys.Take(8))})");
        var layers = layersValue switch
        {
            MatCell cell => cell.Elements.Select(e => e as MatStruct is { Elements.Count: 1 } one ? one.Elements[0] : throw new InvalidDataException("an element of layers is not a struct")).ToList(),
            MatStruct array => array.Elements.ToList(),
            _ => throw new InvalidDataException("layers is neither a cell array nor a struct array"),
        };
        var meta = net.TryGetValue("meta", out var m) ? m as MatStruct : null;
        MatValue? Meta(string name) => meta?.Field(name) ?? net.GetValueOrDefault(name);

        int lastPool = layers.FindLastIndex(l => Text(l, "type", "a layer") == "pool");
        if (lastPool < 0) throw new InvalidDataException("the network has no pooling layer: not a VGG network");
        var tensors = new List<(WeightsTensor, MatNumeric, int)>();
        int index = 0, classifier = 0;
        long channels = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            string type = Text(layer, "type", $"layer {i + 1}");
            string name = layer.ContainsKey("name") ? Text(layer, "name", $"layer {i + 1}") : $"{i + 1}";
            string what = $"layer {name} ({type})";
            switch (type)
            {
                case "conv":
                    var (filters, biases) = Weights(layer, what);
                    var f = Dimensions(filters);
                    long outputs = f[3];
                    if (f[0] != f[1] || biases.Count != outputs || (channels != 0 && f[2] != channels))
                        throw new InvalidDataException($"{what} has filters of {filters.DimensionsText} and {biases.Count} biases{(channels != 0 ? $" after {channels} channels" : "")}");
                    if (Values(layer, "stride", what, 1).Any(v => v != 1)) throw new InvalidDataException($"{what} has a stride other than 1");
                    bool inClassifier = i > lastPool;
                    long pad = inClassifier ? 0 : (f[0] - 1) / 2;
                    if (Values(layer, "pad", what, 0).Any(v => v != pad) || (!inClassifier && f[0] is not (1 or 3)))
                        throw new InvalidDataException($"{what} is a {f[0]}x{f[1]} convolution padded by {string.Join(" ", Values(layer, "pad", what, 0))}; VGG's are 3x3 padded by 1 (or 1x1 by 0), and fc6 to fc8 unpadded");
                    if (i + 1 < layers.Count && Text(layers[i + 1], "type", what) != "relu" && !(inClassifier && classifier == 2))
                        throw new InvalidDataException($"{what} is not followed by a ReLU");
                    string key;
                    if (inClassifier)
                    {
                        if (classifier == Classifier.Length) throw new InvalidDataException($"{what} is a fourth layer after the last pooling; VGG's classifier has 3");
                        if (classifier > 0 && f[0] != 1) throw new InvalidDataException($"{what} is {f[0]}x{f[1]}; fc7 and fc8 are 1x1");
                        key = Classifier[classifier++];
                        tensors.Add((new WeightsTensor(key + ".weight", DataType(filters, what), [outputs, f[2] * f[0] * f[1]]), filters, (int)f[0]));
                    }
                    else
                    {
                        key = $"features.{index}";
                        index += 2; // the convolution and its ReLU, as torchvision numbers them
                        tensors.Add((new WeightsTensor(key + ".weight", DataType(filters, what), [outputs, f[2], f[0], f[1]]), filters, (int)f[0]));
                    }
                    tensors.Add((new WeightsTensor(key + ".bias", DataType(biases, what), [outputs]), biases, 1));
                    channels = outputs;
                    break;
                case "pool":
                    if (layer.TryGetValue("method", out var method) && (method as MatText)?.Single != "max") throw new InvalidDataException($"{what} is not max pooling");
                    if (Values(layer, "pool", what, 2).Any(v => v != 2) || Values(layer, "stride", what, 1).Any(v => v != 2) || Values(layer, "pad", what, 0).Any(v => v != 0))
                        throw new InvalidDataException($"{what} is not 2x2 pooling with stride 2 and no padding");
                    index++;
                    break;
                default:
                    if (!Passive.Contains(type)) throw new InvalidDataException($"{what} is of a type VGG does not have");
                    break;
            }
        }
        if (classifier != Classifier.Length) throw new InvalidDataException($"the network has {classifier} layers after its last pooling; VGG's classifier has 3 (fc6, fc7, fc8)");
        var normalization = Meta("normalization") as MatStruct;
        var preprocessing = normalization?.Field("averageImage") is MatNumeric average ? Mean(average) : Preprocessing.MeanSubtraction(3);
        return new MatConvNetLayout(tensors, preprocessing, ClassNamesOf((Meta("classes") as MatStruct)?.Field("description")));
    }

    private static string Text(IReadOnlyDictionary<string, MatValue> layer, string field, string what) =>
        layer.TryGetValue(field, out var value) && value is MatText { Single: { } text } ? text : throw new InvalidDataException($"{what} has no {field} text");

    /// <summary>A numeric field's values, or <paramref name="absent"/> when the layer does not have it.</summary>
    private static double[] Values(IReadOnlyDictionary<string, MatValue> layer, string field, string what, double absent) =>
        !layer.TryGetValue(field, out var value) ? [absent]
        : value is MatNumeric numeric && numeric.Count is > 0 and <= 4 ? numeric.Values() : throw new InvalidDataException($"{what}'s {field} is not one to four numbers");

    private static (MatNumeric Filters, MatNumeric Biases) Weights(IReadOnlyDictionary<string, MatValue> layer, string what)
    {
        // Today's releases: weights = {filters, biases}; older ones: fields filters and biases.
        var (filters, biases) = layer.TryGetValue("weights", out var weights) && weights is MatCell { Elements.Count: 2 } cell
            ? (cell.Elements[0], cell.Elements[1])
            : (layer.GetValueOrDefault("filters"), layer.GetValueOrDefault("biases"));
        return filters is MatNumeric { Count: > 0 } f && biases is MatNumeric b ? (f, b) : throw new InvalidDataException($"{what} has no filters and biases");
    }

    /// <summary>The filters' [height, width, inputs, outputs], MATLAB's trailing singleton dimensions restored.</summary>
    private static long[] Dimensions(MatNumeric filters)
    {
        if (filters.Dimensions.Length > 4) throw new InvalidDataException($"filters of {filters.DimensionsText}");
        return [.. filters.Dimensions, .. Enumerable.Repeat(1L, 4 - filters.Dimensions.Length)];
    }

    private static SafetensorsDataType DataType(MatNumeric array, string what) => array.ElementType switch
    {
        MatNumeric.Single => SafetensorsDataType.F32,
        MatNumeric.Double => SafetensorsDataType.F64,
        _ => throw new InvalidDataException($"{what}'s weights are of MAT data type {array.ElementType}, not single or double"),
    };

    private static Preprocessing Mean(MatNumeric average)
    {
        double[] values = average.Values();
        if (values.Length != 3 && average.Dimensions is not [_, _, 3])
            throw new InvalidDataException($"meta.normalization.averageImage is {average.DimensionsText}, not a mean pixel or image of 3 channels");
        // Column-major: each channel's pixels are contiguous; a whole image is reduced to its mean pixel.
        int pixels = values.Length / 3;
        float[] mean = [.. Enumerable.Range(0, 3).Select(c => (float)values.AsSpan(c * pixels, pixels).ToArray().Average())];
        return new Preprocessing(1f, mean, [1f, 1f, 1f]);
    }

    private static IReadOnlyList<string>? ClassNamesOf(MatValue? description) => description switch
    {
        MatCell cell => [.. cell.Elements.Select(e => (e as MatText)?.Single ?? throw new InvalidDataException("meta.classes.description holds something other than text"))],
        MatText text => text.Rows,
        null => null,
        _ => throw new InvalidDataException("meta.classes.description is neither a cell array of text nor a char array"),
    };
}
