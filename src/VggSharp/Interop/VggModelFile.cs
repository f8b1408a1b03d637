using System.Globalization;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// VGG weights as safetensors files with torchvision's keys ("features.0.weight"), interchangeable with PyTorch.
/// Files written here also carry the architecture and preprocessing in their metadata, so they load without options;
/// files from elsewhere (a PyTorch state_dict) load with the <see cref="VggOptions"/> that describe them.
/// Every load validates the whole file against the model (keys, dtypes, shapes) before copying anything, and every
/// problem with a file is a <see cref="WeightsFormatException"/>.
/// </summary>
public static class VggModelFile
{
    private const int KeysListed = 5;

    /// <summary>
    /// Writes every state entry of <paramref name="model"/> and its options as metadata, atomically.
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
            () => entry.Bytes)).ToList();
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>Builds the model a VggSharp file describes in its metadata and loads its weights.</summary>
    public static VggModel Load(string path, IBackend? backend = null)
    {
        using var reader = SafetensorsReader.Open(path);
        var metadata = reader.Header.Metadata;
        if (!ModelMetadata.IsPresent(metadata))
            throw new WeightsFormatException(path, "the file has no VggSharp metadata (a PyTorch state_dict, for example); load it with the VggOptions that describe it");
        return Build(reader, ModelMetadata.ToOptions(metadata, path), backend);
    }

    /// <summary>Builds a model from <paramref name="options"/> and loads the file's weights; for files without VggSharp metadata, such as PyTorch's.</summary>
    public static VggModel Load(string path, VggOptions options, IBackend? backend = null)
    {
        var configuration = options.Validate();
        using var reader = SafetensorsReader.Open(path);
        CheckConfiguration(reader, configuration);
        return Build(reader, options, backend);
    }

    /// <summary>Loads the file's weights into <paramref name="model"/>; on any error the model is left as it was.</summary>
    public static void LoadInto(VggModel model, string path)
    {
        if (model.IsFullyConvolutional)
            throw new ArgumentException("Load into the model a fully-convolutional one is made from, then convert it.", nameof(model));
        using var reader = SafetensorsReader.Open(path);
        CheckConfiguration(reader, model.Configuration);
        CheckDataTypes(reader);
        Copy(reader, model);
    }

    /// <summary>
    /// Builds the model the metadata of an open file describes and loads the tensors whose keys pass
    /// <paramref name="isModelKey"/>, for files that hold more than a model (a training checkpoint's momentum buffers).
    /// </summary>
    internal static VggModel Load(SafetensorsReader reader, Func<string, bool> isModelKey, IBackend? backend)
    {
        var metadata = reader.Header.Metadata;
        if (!ModelMetadata.IsPresent(metadata))
            throw new WeightsFormatException(reader.Path, "the file has no VggSharp metadata");
        return Build(reader, ModelMetadata.ToOptions(metadata, reader.Path), backend, isModelKey);
    }

    /// <summary>The file's metadata: the architecture and preprocessing under "vggsharp.*" and any extra entries; empty if it has none.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        return reader.Header.Metadata;
    }

    /// <summary>The options a VggSharp file's metadata describes.</summary>
    public static VggOptions ReadOptions(string path)
    {
        var metadata = ReadMetadata(path);
        if (!ModelMetadata.IsPresent(metadata)) throw new WeightsFormatException(path, "the file has no VggSharp metadata");
        return ModelMetadata.ToOptions(metadata, path);
    }

    /// <summary>
    /// The class names a VggSharp file stores ("vggsharp.class_names", or an extra "class_names" entry: a JSON array
    /// with one name per class), or null when it stores none.
    /// </summary>
    public static IReadOnlyList<string>? ReadClassNames(string path)
    {
        var metadata = ReadMetadata(path);
        if (!ModelMetadata.IsPresent(metadata)) throw new WeightsFormatException(path, "the file has no VggSharp metadata");
        return ModelMetadata.ClassNames(metadata, ModelMetadata.ToOptions(metadata, path).Classes, path);
    }

    private static void CheckConfiguration(SafetensorsReader reader, VggConfiguration requested)
    {
        string? stored = ModelMetadata.ConfigurationName(reader.Header.Metadata);
        if (stored is not null && stored != requested.Name)
            throw new WeightsFormatException(reader.Path, $"the file is for configuration {stored} but configuration {requested.Name} was requested");
    }

    /// <summary>Refuses element types a model cannot hold before anything else, since the file cannot load whatever the model.</summary>
    private static void CheckDataTypes(SafetensorsReader reader)
    {
        var unsupported = reader.Header.Tensors.FirstOrDefault(t => t.DataType is not (SafetensorsDataType.F32 or SafetensorsDataType.I64));
        if (unsupported is not null)
            throw new WeightsFormatException(reader.Path, $"unsupported dtype {unsupported.DataType.HeaderName()} for {unsupported.Name}: only F32 and I64 load into a model");
    }

    private static VggModel Build(SafetensorsReader reader, VggOptions options, IBackend? backend, Func<string, bool>? isModelKey = null)
    {
        CheckDataTypes(reader);
        var configuration = options.Validate();
        long needed = StateSize.Of(options, configuration);
        // Any difference in size means a key or shape will not match; only a model bigger than the file is refused
        // here, before allocating it, so that the mismatch in a smaller one is still named precisely below.
        if (needed > reader.Header.DataLength)
            throw new WeightsFormatException(reader.Path,
                $"{Describe(configuration, options)} holds {needed} bytes of weights but the file has only {reader.Header.DataLength}; it is for another architecture");
        var model = VggModel.Create(options, backend);
        try
        {
            Copy(reader, model, isModelKey);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static void Copy(SafetensorsReader reader, VggModel model, Func<string, bool>? isModelKey = null)
    {
        var entries = model.State().ToList();
        var pairs = Validate(reader, entries, Describe(model.Configuration, model.Options), isModelKey ?? (_ => true));
        foreach (var (entry, tensor) in pairs) reader.ReadTensor(tensor, entry.Bytes);
    }

    /// <summary>Matches every state entry with the file's tensor of the same key, refusing any difference in keys, dtypes or shapes; the dtypes are already F32 or I64.</summary>
    private static List<(StateEntry Entry, SafetensorsTensorInfo Tensor)> Validate(SafetensorsReader reader, List<StateEntry> entries, string model, Func<string, bool> isModelKey)
    {
        var header = reader.Header;
        var modelKeys = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var missing = entries.Select(e => e.Key).Where(k => header.Find(k) is null).ToList();
        var unexpected = header.Tensors.Select(t => t.Name).Where(k => isModelKey(k) && !modelKeys.Contains(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add(ListKeys("missing", missing));
            if (unexpected.Count > 0) problems.Add(ListKeys("unexpected", unexpected));
            throw new WeightsFormatException(reader.Path, $"{string.Join("; ", problems)} for {model}");
        }

        var pairs = new List<(StateEntry, SafetensorsTensorInfo)>(entries.Count);
        foreach (var entry in entries)
        {
            var tensor = header.Find(entry.Key)!;
            var wanted = entry.ElementType == StateElementType.Int64 ? SafetensorsDataType.I64 : SafetensorsDataType.F32;
            if (tensor.DataType != wanted)
                throw new WeightsFormatException(reader.Path, $"{entry.Key} is {tensor.DataType.HeaderName()} in the file but {wanted.HeaderName()} in the model");
            if (!tensor.Shape.SequenceEqual(entry.Shape.Select(d => (long)d)))
                throw new WeightsFormatException(reader.Path,
                    $"{entry.Key} has shape {tensor.ShapeText} in the file but {SafetensorsTensorInfo.FormatShape(entry.Shape.Select(d => (long)d))} in {model}");
            pairs.Add((entry, tensor));
        }
        return pairs;
    }

    private static string ListKeys(string kind, List<string> keys) => keys.Count == 1
        ? $"{kind} key {keys[0]}"
        : $"{kind} keys {string.Join(", ", keys.Take(KeysListed))}{(keys.Count > KeysListed ? $" and {keys.Count - KeysListed} more" : "")}";

    private static string Describe(VggConfiguration configuration, VggOptions options) =>
        $"configuration {configuration.Name} width {options.WidthMultiplier.ToString(CultureInfo.InvariantCulture)}";
}
