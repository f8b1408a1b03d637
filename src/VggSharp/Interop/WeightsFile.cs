using System.Buffers.Binary;
using VggSharp.Interop.Caffe;
using VggSharp.Interop.Hdf5;
using VggSharp.Interop.Keras;
using VggSharp.Interop.Mat;
using VggSharp.Interop.MatConvNet;
using VggSharp.Interop.Onnx;
using VggSharp.Interop.PyTorch;
using VggSharp.Interop.StateDicts;
using VggSharp.Kernels;
using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// The one entry point for weights files of every format: <see cref="Detect"/> tells the format by the file's first
/// bytes (or, for formats without magic bytes, its extension), <see cref="Open"/> opens the matching reader as an
/// <see cref="IWeightsSource"/>, and <see cref="Load(string, WeightsLoadOptions?, IBackend?)"/> builds the model the
/// file describes (a VggSharp file's metadata, a Caffe model's layers) or, for a torchvision state_dict, the one its
/// keys and shapes imply. <see cref="Convert"/> saves any of them as a VggSharp safetensors file or exports it to ONNX.
/// A file of the convolutions alone (<see cref="IWeightsSource.FeaturesOnly"/>: Keras's _notop download) builds no
/// model: everything here that needs one refuses it, and <see cref="LoadFeaturesInto(VggModel, IWeightsSource)"/> starts a model's convolutions from it.
/// </summary>
public static class WeightsFile
{
    private const int SniffBytes = 32;
    private const string FeaturesPrefix = "features.";

    /// <summary>The file's format: by content for safetensors and PyTorch files, else by extension; an unknown file is a <see cref="WeightsFormatException"/>.</summary>
    public static WeightsFormat Detect(string path)
    {
        Span<byte> header = stackalloc byte[SniffBytes];
        int read;
        using (var file = RegularFile.OpenHandle(path))
            read = RandomAccess.Read(file, header, 0);
        header = header[..read];
        if (PyTorchFile.Recognizes(header)) return WeightsFormat.PyTorch;
        if (Hdf5File.Recognizes(header)) return WeightsFormat.Keras;
        if (MatFile.Recognizes(header)) return WeightsFormat.MatConvNet;
        // An 8-byte little-endian header length, then the JSON header's opening brace.
        if (read > 8 && header[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(header) <= SafetensorsHeader.MaxHeaderBytes) return WeightsFormat.Safetensors;
        return ByExtension(path) ?? throw new WeightsFormatException(path,
            "not a weights file VggSharp knows: not safetensors, a PyTorch file, HDF5 or a MAT-file by its content, and its extension is not .safetensors, .pth, .pt, .ckpt, .h5, .mat, .caffemodel or .onnx");
    }

    /// <summary>Opens <paramref name="path"/> with the reader for its format, validating its layout; no weights are read.</summary>
    public static IWeightsSource Open(string path) => Detect(path) switch
    {
        WeightsFormat.Safetensors => StateDictLayouts.Normalize(SafetensorsReader.Open(path)),
        WeightsFormat.PyTorch => StateDictLayouts.Normalize(PyTorchFile.Open(path)),
        WeightsFormat.Caffe => CaffeModelReader.Open(path),
        WeightsFormat.Keras => KerasWeightsReader.Open(path),
        WeightsFormat.MatConvNet => MatConvNetReader.Open(path),
        _ => OnnxModelReader.Open(path),
    };

    /// <summary>
    /// The options of the model <paramref name="path"/> holds: the one the file describes (which <paramref name="options"/>
    /// must agree with), or else what its keys and shapes imply, with every value <paramref name="options"/> gives taking precedence.
    /// </summary>
    public static VggOptions ReadOptions(string path, WeightsLoadOptions? options = null)
    {
        using var source = Open(path);
        return OptionsOf(source, options ?? new WeightsLoadOptions());
    }

    /// <summary>What <see cref="ReadOptions(string, WeightsLoadOptions?)"/> says of a file already open.</summary>
    public static VggOptions ReadOptions(IWeightsSource source) => OptionsOf(source, new WeightsLoadOptions());

    /// <summary>Builds the model <paramref name="path"/> holds (see <see cref="ReadOptions(string, WeightsLoadOptions?)"/>) and loads its weights.</summary>
    public static VggModel Load(string path, WeightsLoadOptions? options = null, IBackend? backend = null)
    {
        using var source = Open(path);
        return StateLoader.Build(source, OptionsOf(source, options ?? new WeightsLoadOptions()), backend);
    }

    /// <summary>What <see cref="Load(string, WeightsLoadOptions?, IBackend?)"/> builds from a file already open.</summary>
    public static VggModel Load(IWeightsSource source, IBackend? backend = null) => StateLoader.Build(source, ReadOptions(source), backend);

    /// <summary>
    /// Builds a model from <paramref name="options"/> and loads the weights of <paramref name="path"/>, in any format,
    /// into it; what the file says of its model must agree (<see cref="IWeightsSource.Match"/>).
    /// </summary>
    public static VggModel Load(string path, VggOptions options, IBackend? backend = null)
    {
        options.Validate(); // invalid options are the caller's error, whatever the file
        using var source = Open(path);
        RequireClassifier(source);
        return StateLoader.Build(source, source.Match(options), backend);
    }

    /// <summary>Loads the weights of <paramref name="path"/>, in any format, into <paramref name="model"/>; on any error the model is left as it was.</summary>
    public static void LoadInto(VggModel model, string path)
    {
        using var source = Open(path);
        LoadInto(model, source);
    }

    /// <summary>What <see cref="LoadInto(VggModel, string)"/> does with a file already open.</summary>
    public static void LoadInto(VggModel model, IWeightsSource source)
    {
        RequireClassifier(source);
        source.Match(model.Options);
        StateLoader.LoadInto(model, source);
    }

    /// <summary>
    /// Loads the convolutional layers (features.N, batch norms included) of <paramref name="path"/>, in any format, into
    /// <paramref name="model"/>'s, leaving its classifier as it is: how a file of the convolutions alone (Keras's
    /// _notop download) starts a training run. Its convolutions must be the model's, key for key and shape for shape;
    /// on any error the model is left as it was.
    /// </summary>
    public static void LoadFeaturesInto(VggModel model, string path)
    {
        using var source = Open(path);
        LoadFeaturesInto(model, source);
    }

    /// <summary>What <see cref="LoadFeaturesInto(VggModel, string)"/> does with a file already open.</summary>
    public static void LoadFeaturesInto(VggModel model, IWeightsSource source) =>
        StateLoader.LoadInto(model, source, key => key.StartsWith(FeaturesPrefix, StringComparison.Ordinal));

    /// <summary>The class names the file stores (VggSharp files and MatConvNet models may), or null.</summary>
    public static IReadOnlyList<string>? ReadClassNames(string path)
    {
        using var source = Open(path);
        return ClassNamesOf(source);
    }

    private static IReadOnlyList<string>? ClassNamesOf(IWeightsSource source) =>
        source.DescribeModel() is { } model ? ModelMetadata.ClassNames(source.Metadata, model.Classes, source.Path)
        : source.Metadata.ContainsKey(ModelMetadata.ClassNamesKey) ? ModelMetadata.ClassNames(source.Metadata, ReadOptions(source).Classes, source.Path)
        : null;

    /// <summary>
    /// Loads <paramref name="input"/> (any readable format, its model described as by <see cref="ReadOptions(string, WeightsLoadOptions?)"/>) and
    /// writes it to <paramref name="output"/> in the format its extension names, atomically; returns the model's
    /// options. VggSharp writes .safetensors and .onnx; any other output is an <see cref="ArgumentException"/> that says so.
    /// </summary>
    public static VggOptions Convert(string input, string output, WeightsLoadOptions? options = null)
    {
        var format = ByExtension(output);
        if (format is not (WeightsFormat.Safetensors or WeightsFormat.Onnx))
            throw new ArgumentException(format is null
                ? $"Cannot tell the output format of {output}: name it .safetensors or .onnx."
                : $"Cannot write {output}: writing {Path.GetExtension(output)} files is not supported; VggSharp writes .safetensors (which PyTorch loads with safetensors.torch.load_file) and .onnx.");
        using var source = Open(input);
        using var model = StateLoader.Build(source, OptionsOf(source, options ?? new WeightsLoadOptions()), null);
        var classNames = ClassNamesOf(source);
        if (format == WeightsFormat.Onnx) OnnxExporter.Export(model, output, classNames);
        else VggModelFile.Save(model, output, classNames: classNames);
        return model.Options;
    }

    /// <summary>The format a file name's extension names, or null.</summary>
    public static WeightsFormat? ByExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".safetensors" => WeightsFormat.Safetensors,
        ".pth" or ".pt" or ".ckpt" => WeightsFormat.PyTorch,
        ".caffemodel" => WeightsFormat.Caffe,
        ".onnx" => WeightsFormat.Onnx,
        ".h5" or ".hdf5" => WeightsFormat.Keras,
        ".mat" => WeightsFormat.MatConvNet,
        _ => null,
    };

    /// <summary>Refuses a file for configuration <paramref name="stored"/> (when known) where <paramref name="requested"/> was.</summary>
    internal static void CheckConfiguration(string path, string? stored, string requested)
    {
        if (stored is not null && stored != requested)
            throw new WeightsFormatException(path, $"the file is for configuration {stored} but configuration {requested} was requested");
    }

    /// <summary>Refuses a file of the convolutions alone where a whole model is needed, saying what it is good for.</summary>
    private static void RequireClassifier(IWeightsSource source)
    {
        if (source.FeaturesOnly)
            throw new WeightsFormatException(source.Path, "the file holds only the convolutional layers, no classifier (Keras's include_top=False, the _notop download): "
                + "use it to start training (vggsharp train --init-from), which loads the convolutions and initialises the classifier afresh");
    }

    /// <summary>The model the file describes, which the hints must agree with, or else the one its keys and shapes imply with the hints.</summary>
    private static VggOptions OptionsOf(IWeightsSource source, WeightsLoadOptions hints)
    {
        RequireClassifier(source);
        if (source.DescribeModel() is not { } options) return ConfigurationInference.Infer(source, hints);
        if (hints.Configuration is not null)
            CheckConfiguration(source.Path, VggConfiguration.Parse(options.Configuration).Name, VggConfiguration.Parse(hints.Configuration).Name);
        if (hints.InputSize is int size && size != options.InputSize)
            throw new WeightsFormatException(source.Path,
                $"the file's model takes {options.InputSize}x{options.InputSize} input, not {size}x{size} (its fc6 is sized for {options.InputSize}x{options.InputSize}); a given input size applies only to state_dicts, which do not describe their model");
        return options;
    }
}
