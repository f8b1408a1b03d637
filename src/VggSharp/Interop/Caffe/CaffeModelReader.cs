using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using VggSharp.Kernels;
using VggSharp.Models;

namespace VggSharp.Interop.Caffe;

/// <summary>
/// An open Caffe .caffemodel file, such as the original release of VGG_ILSVRC_16_layers and VGG_ILSVRC_19_layers, as a
/// weights source: each convolution's and fully-connected layer's blobs are tensors under the torchvision key of the
/// layer with the same role, in order (conv1_1 is features.0, fc8 classifier.6). Both of Caffe's layer formats are
/// read (the 2014 V1 layers with num/channels/height/width blobs, and today's layers with BlobShape), packed or
/// unpacked. The file describes its model (<see cref="DescribeModel"/>): the network worked out from its layers
/// (configuration, input size from fc6, hidden units, classes), with the preprocessing the weights expect: the scale
/// and mean a data layer's transform_param states, or else that of Caffe's VGG models (BGR, 0-255, minus the mean
/// pixel 103.939, 116.779, 123.68); so it is applied whenever images are fed, and stored with the weights when the
/// model is saved. Every problem with a file is a <see cref="WeightsFormatException"/>; the file is read in two
/// passes, the first (on opening) locating every blob and checking every length against the bytes present, the
/// second (<see cref="ReadTensor"/>) reading the values straight into the model, so nothing is allocated that the
/// file does not hold.
/// </summary>
public sealed class CaffeModelReader : IWeightsSource
{
    private readonly SafeFileHandle _file;
    private readonly CaffeVggLayout _layout;
    private readonly VggOptions _options;
    private readonly Dictionary<string, (WeightsTensor Info, CaffeBlob Blob)> _tensors;

    private CaffeModelReader(string path, SafeFileHandle file, CaffeVggLayout layout, VggOptions options, VggConfiguration configuration)
    {
        Path = path;
        _file = file;
        _layout = layout;
        _options = options;
        var weighted = VggLayerBuilder.Plan(options, configuration, fullyConvolutional: false)
            .Where(s => s.Kind is LayerSpecKind.Convolution or LayerSpecKind.Linear).ToList();
        var layers = layout.Convolutions.Concat(layout.FullyConnected).ToList();
        if (weighted.Count != layers.Count)
            throw new InvalidOperationException($"The model has {weighted.Count} weight layers for the file's {layers.Count}.");
        var tensors = new List<(WeightsTensor Info, CaffeBlob Blob)>();
        foreach (var (spec, layer) in weighted.Zip(layers))
        {
            var (weight, bias) = (layer.Blobs[0], layer.Blobs[1]);
            // The layout has checked the blobs: a convolution's weight is [outputs, inputs, k, k]; an inner product's
            // holds outputs x inputs values in any padding of dimensions.
            long[] weightShape = spec.Kind == LayerSpecKind.Convolution ? [.. weight.Shape] : [bias.Count, weight.Count / bias.Count];
            tensors.Add((new WeightsTensor($"{spec.Name}.weight", SafetensorsDataType.F32, weightShape), weight));
            tensors.Add((new WeightsTensor($"{spec.Name}.bias", SafetensorsDataType.F32, [bias.Count]), bias));
        }
        _tensors = tensors.ToDictionary(t => t.Info.Name, StringComparer.Ordinal);
        Tensors = [.. tensors.Select(t => t.Info)];
        LoadedDataLength = tensors.Sum(t => t.Blob.Count * sizeof(float));
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>"Caffe".</summary>
    public string FormatName => "Caffe";

    /// <summary>The weights and biases of the convolutions and fully-connected layers, by torchvision key, in the file's order.</summary>
    public IReadOnlyList<WeightsTensor> Tensors { get; }

    /// <summary>Empty: what a Caffe model says of itself is in its layers (<see cref="DescribeModel"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string>();

    /// <summary>What the weights expect: a data layer's stated scale and mean, or else Caffe's BGR mean pixel.</summary>
    public Preprocessing? Preprocessing => _layout.DefaultPreprocessing;

    /// <summary>The blobs' values as float32.</summary>
    public long LoadedDataLength { get; }

    /// <summary>Opens a .caffemodel and works out its network; no weights are read.</summary>
    public static CaffeModelReader Open(string path)
    {
        var file = RegularFile.OpenHandle(path);
        try
        {
            var layout = ReadLayout(file, RandomAccess.GetLength(file), path);
            var options = layout.ToOptions();
            return new CaffeModelReader(path, file, layout, options, Validate(options, path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the model the file holds and loads its weights. <paramref name="options"/>, when given, must describe
    /// the same network (the layers, input channels, input size, hidden units and classes); their other settings
    /// (dropout, preprocessing) are kept. <paramref name="backend"/> defaults to <see cref="Backends.Default"/>.
    /// </summary>
    public static VggModel Load(string path, VggOptions? options = null, IBackend? backend = null)
    {
        options?.Validate();
        using var reader = Open(path);
        return StateLoader.Build(reader, options is null ? reader._options : reader.Match(options), backend);
    }

    /// <summary>The options of the network the file holds, as <see cref="Load"/> without options works them out; no weights are read.</summary>
    public static VggOptions ReadOptions(string path)
    {
        using var reader = Open(path);
        return reader._options;
    }

    /// <summary>The network the layers describe, with the preprocessing its weights expect.</summary>
    public VggOptions? DescribeModel() => _options;

    /// <summary>
    /// Checks that <paramref name="options"/> describe the file's network (the layers, input channels, input size, hidden
    /// units and classes) and gives them the preprocessing the weights expect when they give none.
    /// </summary>
    public VggOptions Match(VggOptions options)
    {
        var configuration = options.Validate();
        Check(Path, () => _layout.CheckMatches(options, configuration));
        return options.Preprocessing is null ? options with { Preprocessing = _layout.DefaultPreprocessing } : options;
    }

    /// <inheritdoc />
    public WeightsTensor? Find(string name) => _tensors.TryGetValue(name, out var entry) ? entry.Info : null;

    /// <summary>Reads the blob's values straight into <paramref name="destination"/>, which must be exactly its size.</summary>
    public void ReadTensor(WeightsTensor tensor, Span<byte> destination)
    {
        if (!_tensors.TryGetValue(tensor.Name, out var entry) || !ReferenceEquals(entry.Info, tensor))
            throw new ArgumentException($"Tensor {tensor.Name} is not one of {Path}'s.", nameof(tensor));
        if (destination.Length != tensor.ElementCount * sizeof(float))
            throw new ArgumentException($"Tensor {tensor.Name} has {tensor.ElementCount * sizeof(float)} bytes; the destination has {destination.Length}.", nameof(destination));
        entry.Blob.ReadInto(_file, MemoryMarshal.Cast<byte, float>(destination), Path);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private static CaffeVggLayout ReadLayout(SafeFileHandle file, long length, string path)
    {
        if (length > int.MaxValue)
            throw new WeightsFormatException(path, $"the file has {length} bytes; a protobuf message, and so a .caffemodel, holds less than 2 GiB");
        List<CaffeLayer> layers;
        try
        {
            layers = CaffeNetParser.Parse(file, length);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
            throw new WeightsFormatException(path, $"not a valid Caffe NetParameter: {e.Message}", e);
        }
        CaffeVggLayout? layout = null;
        Check(path, () => layout = CaffeVggLayout.Of(layers));
        return layout!;
    }

    private static VggConfiguration Validate(VggOptions options, string path)
    {
        try
        {
            return options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new WeightsFormatException(path, $"the file's network is not one VggSharp can build: {e.Message}", e);
        }
    }

    private static void Check(string path, Action check)
    {
        try
        {
            check();
        }
        catch (InvalidDataException e)
        {
            throw new WeightsFormatException(path, e.Message, e);
        }
    }
}
