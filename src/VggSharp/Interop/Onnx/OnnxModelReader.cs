using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using VggSharp.Models;

namespace VggSharp.Interop.Onnx;

/// <summary>
/// An open .onnx file of a VGG network as a weights source: graphs as torch.onnx.export writes them (opsets 11 to 17
/// and later), the ONNX Model Zoo's VGG-16 and VGG-19 (opsets 7 and 8, with and without batch norm) and VggSharp's own
/// exports. <see cref="OnnxParser"/> locates the graph's parts, <see cref="OnnxVggLayout"/> matches them to a VGG
/// network and names each weight by its torchvision key, and <see cref="ConfigurationInference"/> works out the
/// configuration from those keys and shapes as for a state_dict, at the input size the graph fixes; a VggSharp export
/// is described by its metadata instead, which must agree with the graph. Weights stay where they lie in the file
/// until <see cref="ReadTensor"/> reads one into the model (raw_data or float_data; external data is refused). Batch
/// norm stays the model's batch norm, its variance shifted when the file's epsilon is not the model's; torchvision's
/// adaptive average pooling, lowered to AveragePool or GlobalAveragePool, is folded into fc6 when loading, as for a
/// state_dict. Every problem with a file is a <see cref="WeightsFormatException"/>.
/// </summary>
public sealed class OnnxModelReader : IWeightsSource
{
    private readonly SafeFileHandle _file;
    private readonly OnnxVggLayout _layout;
    private readonly Dictionary<string, OnnxWeight> _weights;
    private readonly VggOptions _options;

    private OnnxModelReader(string path, SafeFileHandle file, OnnxModelProto model, OnnxVggLayout layout)
    {
        Path = path;
        _file = file;
        _layout = layout;
        Metadata = model.Metadata;
        Tensors = [.. layout.Weights.Select(w => w.Info)];
        _weights = layout.Weights.ToDictionary(w => w.Info.Name, StringComparer.Ordinal);
        // fc6 grows when the graph's average pooling is folded into it (by up to 256 times: the layout's limit).
        LoadedDataLength = (Tensors.Sum(t => t.ElementCount) + layout.FoldedFc6Growth) * sizeof(float);
        _options = Describe();
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>"ONNX".</summary>
    public string FormatName => "ONNX";

    /// <summary>The convolutions', batch norms' and fully-connected layers' tensors by torchvision key, in the graph's order.</summary>
    public IReadOnlyList<WeightsTensor> Tensors { get; }

    /// <summary>The model's metadata_props; VggSharp's exports hold their options under "vggsharp.*" keys.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>torchvision's, which torch.onnx.export's graphs and the Model Zoo's VGG expect, unless VggSharp's metadata says.</summary>
    public Preprocessing? Preprocessing => ModelMetadata.IsPresent(Metadata) ? null : Models.Preprocessing.Torchvision;

    /// <summary>The tensors' values as float32, fc6's as large as folding the graph's average pooling into it makes it.</summary>
    public long LoadedDataLength { get; }

    /// <summary>False: ONNX files hold no batch counters, which load as 0.</summary>
    public bool HasBatchCounters => false;

    /// <summary>Whether the graph ends in Softmax: the model VggSharp builds gives the logits before it, its ranking the same.</summary>
    public bool EndsInSoftmax => _layout.EndsInSoftmax;

    /// <summary>Opens an .onnx file and works out its network; no weights are read.</summary>
    public static OnnxModelReader Open(string path)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long length = RandomAccess.GetLength(file);
            if (length > int.MaxValue)
                throw new WeightsFormatException(path, $"the file has {length} bytes; a protobuf message, and so an .onnx file that holds its weights, has less than 2 GiB");
            OnnxModelProto model;
            try
            {
                model = OnnxParser.Parse(file, length);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
            {
                throw new WeightsFormatException(path, $"not a valid ONNX model: {e.Message}", e);
            }
            OnnxVggLayout layout;
            try
            {
                bool fullyConvolutional = model.Metadata.GetValueOrDefault(OnnxExporter.FullyConvolutionalKey) == "true";
                layout = OnnxVggLayout.Of(model, tensor => tensor.ReadInt64(file, path), fullyConvolutional);
            }
            catch (InvalidDataException e)
            {
                throw new WeightsFormatException(path, $"not a VGG network VggSharp reads: {e.Message}", e);
            }
            return new OnnxModelReader(path, file, model, layout);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The network the graph holds: as VggSharp's metadata states it, or as worked out from the graph.</summary>
    public VggOptions? DescribeModel() => _options;

    /// <summary>
    /// Checks that <paramref name="options"/> are for the graph's configuration and input size (its layers are fixed
    /// for that size) and returns them; keys and shapes are checked when loading.
    /// </summary>
    public VggOptions Match(VggOptions options)
    {
        // The constructor works the graph's options out through ConfigurationInference, which ends with this call:
        // then there is nothing to check against yet.
        if (_options is null) return options;
        WeightsFile.CheckConfiguration(Path, VggConfiguration.Parse(_options.Configuration).Name, VggConfiguration.Parse(options.Configuration).Name);
        if (options.InputSize != _options.InputSize)
            throw new WeightsFormatException(Path, $"the graph is for {_options.InputSize}x{_options.InputSize} input, not {options.InputSize}x{options.InputSize}");
        return options;
    }

    /// <inheritdoc />
    public WeightsTensor? Find(string name) => _weights.TryGetValue(name, out var weight) ? weight.Info : null;

    /// <summary>Reads the tensor's values straight into <paramref name="destination"/> (through a buffer when they are stored transposed).</summary>
    public void ReadTensor(WeightsTensor tensor, Span<byte> destination)
    {
        if (!_weights.TryGetValue(tensor.Name, out var weight) || !ReferenceEquals(weight.Info, tensor))
            throw new ArgumentException($"Tensor {tensor.Name} is not one of {Path}'s.", nameof(tensor));
        if (destination.Length != tensor.ElementCount * sizeof(float))
            throw new ArgumentException($"Tensor {tensor.Name} has {tensor.ElementCount * sizeof(float)} bytes; the destination has {destination.Length}.", nameof(destination));
        var target = MemoryMarshal.Cast<byte, float>(destination);
        var data = weight.Source.Floats!;
        string what = $"tensor '{weight.Source.Name}'";
        if (weight.Transposed)
        {
            // Stored [inputs, outputs]; the model's layout is [outputs, inputs].
            int outputs = (int)tensor.Shape[0], inputs = (int)tensor.Shape[1];
            var stored = GC.AllocateUninitializedArray<float>(target.Length);
            data.ReadInto(_file, stored, Path, what);
            for (int o = 0; o < outputs; o++)
            {
                for (int i = 0; i < inputs; i++) target[o * inputs + i] = stored[(long)i * outputs + o];
            }
        }
        else data.ReadInto(_file, target, Path, what);
        if (weight.VarianceShift != 0)
        {
            for (int i = 0; i < target.Length; i++)
            {
                target[i] += weight.VarianceShift;
                if (!(target[i] >= 0)) throw new WeightsFormatException(Path, $"{what} holds a variance that is negative with the model's batch-norm epsilon (the file's is smaller)");
            }
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private VggOptions Describe()
    {
        var inferred = ConfigurationInference.Infer(this, new WeightsLoadOptions { InputSize = _layout.InputSize });
        if (!ModelMetadata.IsPresent(Metadata)) return inferred;
        var stated = ModelMetadata.ToOptions(Metadata, Path);
        WeightsFile.CheckConfiguration(Path, VggConfiguration.Parse(inferred.Configuration).Name, VggConfiguration.Parse(stated.Configuration).Name);
        return stated;
    }
}
