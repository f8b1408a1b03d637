using Microsoft.Win32.SafeHandles;
using VggSharp.Interop.Mat;
using VggSharp.Models;

namespace VggSharp.Interop.MatConvNet;

/// <summary>
/// A MatConvNet model (.mat, simplenn), such as the VGG authors' own imagenet-vgg-verydeep-16.mat and -19.mat, as a
/// weights source: each conv layer's filters and biases under the torchvision key of the layer with the same role
/// (<see cref="MatConvNetLayout"/>), the filters read from MATLAB's column-major [height, width, inputs, outputs] into
/// torchvision's [outputs, inputs, height, width] in place. Its preprocessing is 0-255 RGB minus the file's
/// meta.normalization.averageImage, and its meta.classes.description are the class names (<see cref="Metadata"/>), so
/// predictions are named. The model is inferred from the keys and shapes, as for a state_dict. Every problem is a
/// <see cref="WeightsFormatException"/>.
/// </summary>
public sealed class MatConvNetReader : IWeightsSource
{
    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, (WeightsTensor Info, MatNumeric Data, int Kernel)> _tensors;

    private MatConvNetReader(string path, SafeFileHandle file, MatConvNetLayout layout)
    {
        Path = path;
        _file = file;
        _tensors = layout.Tensors.ToDictionary(t => t.Info.Name, StringComparer.Ordinal);
        Tensors = [.. layout.Tensors.Select(t => t.Info)];
        Preprocessing = layout.Preprocessing;
        long classes = _tensors["classifier.6.bias"].Info.ElementCount;
        if (layout.ClassNames is { } names && names.Count != classes)
            throw new InvalidDataException($"meta.classes.description names {names.Count} classes but fc8 has {classes}");
        Metadata = layout.ClassNames is { } described
            ? new Dictionary<string, string> { [ModelMetadata.ClassNamesKey] = ModelMetadata.ClassNamesValue(described, (int)classes) }
            : new Dictionary<string, string>();
        LoadedDataLength = Tensors.Sum(t => t.ElementCount * sizeof(float));
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>"MatConvNet".</summary>
    public string FormatName => "MatConvNet";

    /// <summary>The conv layers' filters and biases under torchvision's keys and shapes, in the file's order.</summary>
    public IReadOnlyList<WeightsTensor> Tensors { get; }

    /// <summary>The class names (meta.classes.description) under VggSharp's key, when the file names each of fc8's classes; else empty.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>0-255 RGB minus the file's average image (its mean pixel).</summary>
    public Preprocessing? Preprocessing { get; }

    /// <inheritdoc />
    public long LoadedDataLength { get; }

    /// <summary>Null: the model is inferred from the tensors, as for a state_dict.</summary>
    public VggOptions? DescribeModel() => null;

    /// <summary>The options as given: the tensors' shapes are checked when loading.</summary>
    public VggOptions Match(VggOptions options) => options;

    /// <summary>Opens a MatConvNet .mat file and works out its network; no weights are read (a compressed file is inflated in memory).</summary>
    public static MatConvNetReader Open(string path)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return new MatConvNetReader(path, file, MatConvNetLayout.Of(MatFile.Read(file)));
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

    /// <summary>Reads the tensor in its stored element type (float32 or float64) into torchvision's layout.</summary>
    public void ReadTensor(WeightsTensor tensor, Span<byte> destination)
    {
        if (!_tensors.TryGetValue(tensor.Name, out var entry) || !ReferenceEquals(entry.Info, tensor))
            throw new ArgumentException($"Tensor {tensor.Name} is not one of {Path}'s.", nameof(tensor));
        int size = entry.Data.ElementSize;
        if (destination.Length != tensor.ElementCount * size)
            throw new ArgumentException($"Tensor {tensor.Name} has {tensor.ElementCount * size} bytes; the destination has {destination.Length}.", nameof(destination));
        try
        {
            entry.Data.Bytes.Read(entry.Data.Position, destination);
        }
        catch (InvalidDataException e)
        {
            throw new WeightsFormatException(Path, e.Message, e);
        }
        // Column-major [k, k, inputs, outputs] reads as [outputs, inputs, x, y]: each k x k plane is transposed to [y, x].
        int k = entry.Kernel, plane = k * k * size;
        Span<byte> swap = stackalloc byte[sizeof(double)];
        for (int start = 0; k > 1 && start < destination.Length; start += plane)
        {
            var square = destination.Slice(start, plane);
            for (int y = 0; y < k; y++)
            {
                for (int x = y + 1; x < k; x++)
                {
                    var a = square.Slice((y * k + x) * size, size);
                    var b = square.Slice((x * k + y) * size, size);
                    a.CopyTo(swap);
                    b.CopyTo(a);
                    swap[..size].CopyTo(b);
                }
            }
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
