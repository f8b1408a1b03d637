using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// An open weights file of any format, validated on opening: its tensors by torchvision key, with element types and
/// shapes checked against the bytes the file has, ready to be read one by one into a model's memory, and what the file
/// says of its model beyond them. Implemented by <see cref="SafetensorsReader"/>, <see cref="PyTorch.PyTorchFile"/>,
/// <see cref="Caffe.CaffeModelReader"/>, <see cref="Keras.KerasWeightsReader"/>, <see cref="MatConvNet.MatConvNetReader"/> and
/// <see cref="Onnx.OnnxModelReader"/> (and by the view of a state_dict under torchvision's keys that
/// <see cref="StateDicts.StateDictLayouts"/> gives); <see cref="WeightsFile.Open"/> picks one by the file's content or extension.
/// </summary>
public interface IWeightsSource : IDisposable
{
    /// <summary>The file.</summary>
    string Path { get; }

    /// <summary>The format's name for messages: "safetensors", "PyTorch zip", "PyTorch legacy", "Caffe", "Keras HDF5", "MatConvNet", "ONNX".</summary>
    string FormatName { get; }

    /// <summary>The tensors, in the file's order.</summary>
    IReadOnlyList<WeightsTensor> Tensors { get; }

    /// <summary>String metadata; VggSharp's files describe their model under "vggsharp.*" keys. Empty when the format has none.</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The preprocessing the format implies when the file does not say (torchvision's for PyTorch files), or null.</summary>
    Preprocessing? Preprocessing { get; }

    /// <summary>
    /// The model the file describes itself, or null when its keys and shapes are all it has (a torchvision state_dict,
    /// whose model <see cref="WeightsFile"/> then infers): a VggSharp file's metadata, or a Caffe model's layers, which
    /// state what a state_dict cannot show (the LRN's parameters, Caffe's preprocessing). A malformed description is a
    /// <see cref="WeightsFormatException"/>.
    /// </summary>
    VggOptions? DescribeModel();

    /// <summary>
    /// Checks <paramref name="options"/>, which a caller gives for this file, against what the file says of its model (a
    /// VggSharp file its configuration, a Caffe model every layer), and returns them completed with what the file states and
    /// they leave unsaid (a Caffe model's preprocessing). Another network is a <see cref="WeightsFormatException"/> that
    /// names the difference; keys and shapes are checked when loading whatever this says.
    /// </summary>
    VggOptions Match(VggOptions options);

    /// <summary>
    /// The bytes the file's distinct tensor data would occupy loaded into a model (float32 and int64): the most state
    /// the file can justify, compared with a model's size before that model is allocated.
    /// </summary>
    long LoadedDataLength { get; }

    /// <summary>
    /// Whether the file holds only a network's convolutional layers (features.N), no classifier: Keras's include_top=False
    /// download. Such a file describes no whole model, so <see cref="WeightsFile"/> builds none from it; it starts a
    /// training run's convolutions (<see cref="WeightsFile.LoadFeaturesInto(Models.VggModel, IWeightsSource)"/>).
    /// </summary>
    bool FeaturesOnly => false;

    /// <summary>
    /// Whether every batch norm's num_batches_tracked must be in the file: true for VggSharp's own safetensors files;
    /// torchvision's files before PyTorch 0.4.1 lack them, and ONNX files hold no training state (they load as 0).
    /// </summary>
    bool HasBatchCounters => ModelMetadata.IsPresent(Metadata);

    /// <summary>The tensor with key <paramref name="name"/>, or null.</summary>
    WeightsTensor? Find(string name);

    /// <summary>Reads <paramref name="tensor"/> (one of <see cref="Tensors"/>) in its own element type and row-major order into <paramref name="destination"/>, which must be exactly its size.</summary>
    void ReadTensor(WeightsTensor tensor, Span<byte> destination);
}
