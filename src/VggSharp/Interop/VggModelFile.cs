using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// VGG weights as safetensors files with torchvision's keys ("features.0.weight"), interchangeable with PyTorch.
/// Files written here also carry the architecture and preprocessing in their metadata, so they load without options;
/// files from elsewhere load with the <see cref="VggOptions"/> that describe them, or through <see cref="WeightsFile"/>,
/// which reads every format and infers a torchvision state_dict's architecture. Every load validates the whole file
/// against the model (keys, dtypes, shapes) before copying anything, and every problem with a file is a
/// <see cref="WeightsFormatException"/>.
/// </summary>
public static class VggModelFile
{
    /// <summary>
    /// Writes every state entry of <paramref name="model"/> and its options as metadata, atomically, with a checksum
    /// that every load verifies (<see cref="SafetensorsChecksum"/>).
    /// <paramref name="extraMetadata"/> is stored too; its keys may not start with "vggsharp.".
    /// <paramref name="classNames"/>, when given, names each class (label i is name i) for <see cref="ReadClassNames"/>.
    /// </summary>
    public static void Save(VggModel model, string path, IReadOnlyDictionary<string, string>? extraMetadata = null, IReadOnlyList<string>? classNames = null)
    {
        if (model.IsFullyConvolutional)
            throw new ArgumentException("A fully-convolutional model's classifier has convolution shapes; save the model it was made from.", nameof(model));
        var metadata = ModelMetadata.From(model.Options);
        if (classNames is not null) metadata.Add(ModelMetadata.ClassNamesKey, ModelMetadata.ClassNamesValue(classNames, model.Options.Classes));
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(ModelMetadata.Prefix, StringComparison.Ordinal))
                throw new ArgumentException($"Extra metadata key {key} uses the reserved prefix {ModelMetadata.Prefix}.", nameof(extraMetadata));
            metadata.Add(key, value);
        }
        var tensors = model.State().Select(entry => new SafetensorsTensorSource(
            entry.Key,
            entry.ElementType == StateElementType.Int64 ? SafetensorsDataType.I64 : SafetensorsDataType.F32,
            entry.Shape.Select(d => (long)d).ToArray(),
            entry.HostBytes)).ToList();
        SafetensorsWriter.Write(path, tensors, metadata, checksum: true);
    }

    /// <summary>Builds the model a VggSharp file describes in its metadata and loads its weights.</summary>
    public static VggModel Load(string path, IBackend? backend = null)
    {
        using var reader = SafetensorsReader.Open(path);
        return StateLoader.Build(reader, DescribedModel(reader), backend);
    }

    /// <summary>Builds a model from <paramref name="options"/> and loads the file's weights; for files without VggSharp metadata, such as PyTorch's (see <see cref="WeightsFile.Load(string, VggOptions, IBackend?)"/>).</summary>
    public static VggModel Load(string path, VggOptions options, IBackend? backend = null) => WeightsFile.Load(path, options, backend);

    /// <summary>Loads the file's weights into <paramref name="model"/>; on any error the model is left as it was (see <see cref="WeightsFile.LoadInto(VggModel, string)"/>).</summary>
    public static void LoadInto(VggModel model, string path) => WeightsFile.LoadInto(model, path);

    /// <summary>
    /// Builds the model the metadata of an open file describes and loads the tensors whose keys pass
    /// <paramref name="isModelKey"/>, for files that hold more than a model (a training checkpoint's momentum buffers).
    /// </summary>
    internal static VggModel Load(SafetensorsReader reader, Func<string, bool> isModelKey, IBackend? backend) =>
        StateLoader.Build(reader, DescribedModel(reader), backend, isModelKey);

    /// <summary>The file's metadata: the architecture and preprocessing under "vggsharp.*" and any extra entries; empty if it has none.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        return reader.Header.Metadata;
    }

    /// <summary>The options a VggSharp file's metadata describes.</summary>
    public static VggOptions ReadOptions(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        return DescribedModel(reader);
    }

    /// <summary>
    /// The class names a VggSharp file stores ("vggsharp.class_names", or an extra "class_names" entry: a JSON array
    /// with one name per class), or null when it stores none.
    /// </summary>
    public static IReadOnlyList<string>? ReadClassNames(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        return ModelMetadata.ClassNames(reader.Metadata, DescribedModel(reader).Classes, path);
    }

    /// <summary>The model the file's VggSharp metadata describes; a file without it is a <see cref="WeightsFormatException"/> that says how such files load.</summary>
    private static VggOptions DescribedModel(SafetensorsReader reader) => reader.DescribeModel()
        ?? throw new WeightsFormatException(reader.Path,
            "the file has no VggSharp metadata to describe its model; files without it (a PyTorch state_dict, for example) load with the VggOptions that describe them, or through WeightsFile, which infers them");
}
