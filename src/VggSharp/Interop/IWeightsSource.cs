using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// An open weights file of any format, validated on opening: its tensors by torchvision key, with element types and
/// shapes checked against the bytes the file has, ready to be read one by one into a model's memory. Implemented by
/// <see cref="SafetensorsReader"/> and <see cref="PyTorch.PyTorchFile"/>; <see cref="WeightsFile.Open"/> picks one by
/// the file's content.
/// </summary>
public interface IWeightsSource : IDisposable
{
    /// <summary>The file.</summary>
    string Path { get; }

    /// <summary>The format's name for messages: "safetensors", "PyTorch zip", "PyTorch legacy".</summary>
    string FormatName { get; }

    /// <summary>The tensors, in the file's order.</summary>
    IReadOnlyList<WeightsTensor> Tensors { get; }

    /// <summary>String metadata; VggSharp's files describe their model under "vggsharp.*" keys. Empty when the format has none.</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The preprocessing the format implies when its metadata does not say (torchvision's for PyTorch files), or null.</summary>
    Preprocessing? Preprocessing { get; }

    /// <summary>
    /// The bytes the file's distinct tensor data would occupy loaded into a model (float32 and int64): the most state
    /// the file can justify, compared with a model's size before that model is allocated.
    /// </summary>
    long LoadedDataLength { get; }

    /// <summary>The tensor with key <paramref name="name"/>, or null.</summary>
    WeightsTensor? Find(string name);

    /// <summary>Reads <paramref name="tensor"/> (one of <see cref="Tensors"/>) in its own element type and row-major order into <paramref name="destination"/>, which must be exactly its size.</summary>
    void ReadTensor(WeightsTensor tensor, Span<byte> destination);
}
