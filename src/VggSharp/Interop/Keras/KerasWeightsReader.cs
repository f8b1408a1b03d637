using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VggSharp.Interop.Hdf5;
using VggSharp.Models;

namespace VggSharp.Interop.Keras;

/// <summary>
/// A Keras weights file in HDF5 (Keras's save_weights and the keras.applications downloads, such as
/// vgg16_weights_tf_dim_ordering_tf_kernels.h5; a whole saved model's "model_weights" group too) as a weights source:
/// the layers listed by the layer_names attribute, each a group whose weight_names attribute lists its kernel and
/// bias, become torchvision's keys in order (block1_conv1 is features.0, fc1 classifier.0), a weightless layer named
/// "…pool…" a max pooling stage. Kernels are transposed as they are read: a convolution's HWIO to OIHW, a Dense
/// layer's [inputs, outputs] to [outputs, inputs], and fc1's inputs from Keras's channels-last Flatten order to
/// torchvision's channels-first one, in blocks, so no copy of a tensor is made. The weights expect Keras's
/// caffe-style preprocessing (BGR, 0-255, minus the ImageNet mean pixel). The model is inferred from the keys and
/// shapes as for a state_dict. A file without the Dense layers (include_top=False, the _notop download) holds the
/// convolutions alone (<see cref="FeaturesOnly"/>): it starts a training run, and builds no model by itself. Every
/// problem is a <see cref="WeightsFormatException"/>.
/// </summary>
public sealed class KerasWeightsReader : IWeightsSource
{
    private const int ReadBlockBytes = 1 << 20;
    private static readonly string[] Classifier = ["classifier.0", "classifier.3", "classifier.6"];

    private readonly SafeFileHandle _file;
    private readonly Hdf5Input _input;
    private readonly Dictionary<string, (WeightsTensor Info, Hdf5Dataset Data, int Positions)> _tensors;
    private readonly int _flattenedMap;

    private KerasWeightsReader(string path, SafeFileHandle file, Hdf5Input input, List<(WeightsTensor Info, Hdf5Dataset Data, int Positions)> tensors, int flattenedMap)
    {
        Path = path;
        _file = file;
        _input = input;
        _tensors = tensors.ToDictionary(t => t.Info.Name, StringComparer.Ordinal);
        _flattenedMap = flattenedMap;
        Tensors = [.. tensors.Select(t => t.Info)];
        LoadedDataLength = tensors.Sum(t => t.Info.ElementCount * sizeof(float));
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>"Keras HDF5".</summary>
    public string FormatName => "Keras HDF5";

    /// <summary>The convolutions' and Dense layers' kernels and biases under torchvision's keys and shapes, in the file's layer order.</summary>
    public IReadOnlyList<WeightsTensor> Tensors { get; }

    /// <summary>Empty: a Keras weights file says nothing of its model beyond its layers.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string>();

    /// <summary>Keras's "caffe" mode for VGG: BGR, 0-255, minus the mean pixel (103.939, 116.779, 123.68).</summary>
    public Preprocessing? Preprocessing => Models.Preprocessing.Caffe;

    /// <inheritdoc />
    public long LoadedDataLength { get; }

    /// <summary>Null: the model is inferred from the tensors, as for a state_dict.</summary>
    public VggOptions? DescribeModel() => null;

    /// <summary>Whether the file has no Dense layers (Keras's include_top=False): its convolutions are all it holds.</summary>
    public bool FeaturesOnly => _flattenedMap == 0;

    /// <summary>
    /// The options, when their feature map is the one Keras's Flatten feeds to fc1 (Keras's VGG takes only its own input
    /// size); for a file of the convolutions alone, which take any size, the options as they are.
    /// </summary>
    public VggOptions Match(VggOptions options)
    {
        int map = VggLayerBuilder.FeatureMapSize(options.Validate(), options.InputSize);
        if (!FeaturesOnly && map != _flattenedMap)
            throw new WeightsFormatException(Path,
                $"Keras's VGG flattens a {_flattenedMap}x{_flattenedMap} feature map into fc1, so it takes one input size only, and {options.InputSize}x{options.InputSize} gives {map}x{map}");
        return options;
    }

    /// <summary>Opens a Keras .h5 weights file and maps its layers; no weights are read.</summary>
    public static KerasWeightsReader Open(string path)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var (input, root) = Hdf5File.Open(file);
            var (tensors, map) = Layers(root, path);
            return new KerasWeightsReader(path, file, input, tensors, map);
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new WeightsFormatException(path, e.Message, e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public WeightsTensor? Find(string name) => _tensors.TryGetValue(name, out var entry) ? entry.Info : null;

    /// <summary>Reads the tensor into <paramref name="destination"/> in torchvision's layout (float32).</summary>
    public void ReadTensor(WeightsTensor tensor, Span<byte> destination)
    {
        if (!_tensors.TryGetValue(tensor.Name, out var entry) || !ReferenceEquals(entry.Info, tensor))
            throw new ArgumentException($"Tensor {tensor.Name} is not one of {Path}'s.", nameof(tensor));
        if (destination.Length != tensor.ElementCount * sizeof(float))
            throw new ArgumentException($"Tensor {tensor.Name} has {tensor.ElementCount * sizeof(float)} bytes; the destination has {destination.Length}.", nameof(destination));
        try
        {
            if (tensor.Shape.Count == 1) entry.Data.ReadBytes(_input, 0, destination);
            else Transpose(entry.Data, entry.Positions, MemoryMarshal.Cast<byte, float>(destination));
        }
        catch (InvalidDataException e)
        {
            throw new WeightsFormatException(Path, e.Message, e);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Keras's kernel [rows, outputs], whose row r is position p = r / channels and channel c = r % channels of the
    /// layer's input (a convolution's kernel position, or a place of the flattened map), into torchvision's
    /// [outputs, channels, positions]: destination[o, c, p] = kernel[p·channels + c, o].
    /// </summary>
    private void Transpose(Hdf5Dataset kernel, int positions, Span<float> destination)
    {
        int outputs = (int)kernel.Dimensions[^1];
        long rows = kernel.ElementCount / outputs;
        int channels = (int)(rows / positions);
        int rowsPerBlock = Math.Max(1, ReadBlockBytes / (outputs * sizeof(float)));
        var block = new float[(long)Math.Min(rows, rowsPerBlock) * outputs];
        for (long first = 0; first < rows; first += rowsPerBlock)
        {
            int count = (int)Math.Min(rowsPerBlock, rows - first);
            var values = block.AsSpan(0, count * outputs);
            kernel.ReadBytes(_input, first * outputs * sizeof(float), MemoryMarshal.AsBytes(values));
            for (int r = 0; r < count; r++)
            {
                long row = first + r;
                long column = row % channels * positions + row / channels;
                for (int o = 0; o < outputs; o++) destination[(int)(o * rows + column)] = values[r * outputs + o];
            }
        }
    }

    /// <summary>The tensors of the layers the file lists, and the side of the feature map fc1 takes (0 when the file has no Dense layers).</summary>
    private static (List<(WeightsTensor, Hdf5Dataset, int)> Tensors, int Map) Layers(Hdf5Group root, string path)
    {
        var weights = root.Attribute("layer_names") is not null ? root : root.Group("model_weights") is { } saved && saved.Attribute("layer_names") is not null ? saved
            : throw new InvalidDataException("an HDF5 file without Keras's layer_names attribute (nor a model_weights group with one): not a Keras weights file");
        var names = weights.Attribute("layer_names")!.Strings() ?? throw new InvalidDataException("Keras's layer_names attribute is not an array of strings");
        var tensors = new List<(WeightsTensor, Hdf5Dataset, int)>();
        int index = 0, dense = 0;
        long lastChannels = 0;
        int map = 0;
        foreach (string name in names)
        {
            var layer = weights.Group(name) ?? throw new InvalidDataException($"layer {name} is listed in layer_names but has no group");
            var weightNames = layer.Attribute("weight_names")?.Strings() ?? throw new InvalidDataException($"layer {name} has no weight_names attribute of strings");
            if (weightNames.Count == 0)
            {
                if (name.Contains("pool", StringComparison.Ordinal))
                {
                    if (dense > 0) throw new InvalidDataException($"pooling layer {name} follows a Dense layer; VGG pools only between convolutions");
                    index++;
                }
                continue;
            }
            if (weightNames.Count != 2)
                throw new InvalidDataException($"layer {name} has {weightNames.Count} weights ({string.Join(", ", weightNames)}); VGG's layers have a kernel and a bias");
            var kernel = Dataset(layer, weightNames[0], name);
            var bias = Dataset(layer, weightNames[1], name);
            long outputs = bias.Dimensions is [var o] ? o : -1;
            var k = kernel.Dimensions;
            if (k.Length == 4 && k[0] == k[1] && k[3] == outputs && dense == 0)
            {
                if (lastChannels != 0 && k[2] != lastChannels) throw new InvalidDataException($"layer {name} takes {k[2]} channels but the layer before gives {lastChannels}");
                tensors.Add((new WeightsTensor($"features.{index}.weight", SafetensorsDataType.F32, [k[3], k[2], k[0], k[1]]), kernel, (int)(k[0] * k[1])));
                tensors.Add((new WeightsTensor($"features.{index}.bias", SafetensorsDataType.F32, [outputs]), bias, 1));
                lastChannels = outputs;
                index += 2; // the convolution and its ReLU, as torchvision numbers them
            }
            else if (k.Length == 2 && k[1] == outputs && dense < Classifier.Length && lastChannels > 0)
            {
                int positions = 1;
                if (dense == 0)
                {
                    long area = k[0] % lastChannels == 0 ? k[0] / lastChannels : 0;
                    map = (int)Math.Round(Math.Sqrt(area));
                    if (area == 0 || (long)map * map != area)
                        throw new InvalidDataException($"layer {name} takes {k[0]} inputs, not the flattened square map of the last convolution's {lastChannels} channels");
                    positions = (int)area;
                }
                tensors.Add((new WeightsTensor($"{Classifier[dense]}.weight", SafetensorsDataType.F32, [k[1], k[0]]), kernel, positions));
                tensors.Add((new WeightsTensor($"{Classifier[dense]}.bias", SafetensorsDataType.F32, [outputs]), bias, 1));
                dense++;
            }
            else
            {
                throw new InvalidDataException($"layer {name} has a kernel of [{string.Join(", ", k)}] and a bias of [{string.Join(", ", bias.Dimensions)}], "
                    + "not a square convolution's (HWIO) or a Dense layer's that continues a VGG network");
            }
        }
        if (lastChannels == 0) throw new InvalidDataException("the file has no convolution layers: not a VGG network's weights");
        // No Dense layer at all is Keras's include_top=False: the convolutions alone (FeaturesOnly).
        if (dense != 0 && dense != Classifier.Length) throw new InvalidDataException($"the file has {dense} Dense layers; VGG's classifier has 3");
        return (tensors, map);
    }

    private static Hdf5Dataset Dataset(Hdf5Group layer, string weight, string name)
    {
        var dataset = layer.Dataset(weight) ?? throw new InvalidDataException($"layer {name} lists weight {weight}, which the file does not have");
        if (!dataset.Type.IsSingle) throw new InvalidDataException($"weight {weight} of layer {name} holds {dataset.Type.Describe()}; Keras's VGG weights are float32");
        if (dataset.Dimensions.Any(d => d is 0 or > int.MaxValue)) throw new InvalidDataException($"weight {weight} of layer {name} has dimensions [{string.Join(", ", dataset.Dimensions)}]");
        return dataset;
    }
}
