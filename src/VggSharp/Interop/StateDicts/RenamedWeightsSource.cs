using VggSharp.Models;

namespace VggSharp.Interop.StateDicts;

/// <summary>
/// A state_dict seen under torchvision's keys: another source's tensors renamed, and reshaped where only the shape
/// differs (timm's 7x7 and 1x1 convolutions that are fc6 and fc7, whose elements are in the same order as the
/// fully-connected layers'). Reads go to the wrapped source, which this owns.
/// </summary>
internal sealed class RenamedWeightsSource : IWeightsSource
{
    private readonly IWeightsSource _inner;
    private readonly Dictionary<string, (WeightsTensor Renamed, WeightsTensor Original)> _tensors;
    private readonly int? _largestFeatureMap;

    /// <param name="inner">The file as read.</param>
    /// <param name="tensors">Each tensor under its new key and shape, with the one of <paramref name="inner"/> it is.</param>
    /// <param name="layout">What was changed, for messages ("timm's layout").</param>
    /// <param name="largestFeatureMap">
    /// When the file's network classifies larger feature maps than its fc6 takes by another computation than
    /// torchvision's pooling (timm's dense score map), the largest map a model built from it may have.
    /// </param>
    public RenamedWeightsSource(IWeightsSource inner, IReadOnlyList<(WeightsTensor Renamed, WeightsTensor Original)> tensors, string layout, int? largestFeatureMap)
    {
        _inner = inner;
        _tensors = tensors.ToDictionary(t => t.Renamed.Name, StringComparer.Ordinal);
        _largestFeatureMap = largestFeatureMap;
        Tensors = [.. tensors.Select(t => t.Renamed)];
        FormatName = $"{inner.FormatName}, {layout}";
    }

    /// <inheritdoc />
    public string Path => _inner.Path;

    /// <summary>The wrapped file's format and the layout it was read in: "PyTorch zip, timm's layout".</summary>
    public string FormatName { get; }

    /// <inheritdoc />
    public IReadOnlyList<WeightsTensor> Tensors { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Metadata => _inner.Metadata;

    /// <inheritdoc />
    public Preprocessing? Preprocessing => _inner.Preprocessing;

    /// <inheritdoc />
    public long LoadedDataLength => _inner.LoadedDataLength;

    /// <inheritdoc />
    public VggOptions? DescribeModel() => _inner.DescribeModel();

    /// <summary>The wrapped file's check, and for timm's layout that the feature map is no larger than its fc6 takes.</summary>
    public VggOptions Match(VggOptions options)
    {
        var matched = _inner.Match(options);
        if (_largestFeatureMap is int largest && VggLayerBuilder.FeatureMapSize(matched.Validate(), matched.InputSize) is var map && map > largest)
            throw new WeightsFormatException(Path,
                $"timm's VGG classifies a feature map larger than {largest}x{largest} by averaging its class score map (dense evaluation), not by one fixed-size "
                + $"forward pass; load it at its own input size and evaluate larger images with --protocol dense (here the map would be {map}x{map})");
        return matched;
    }

    /// <inheritdoc />
    public WeightsTensor? Find(string name) => _tensors.TryGetValue(name, out var entry) ? entry.Renamed : null;

    /// <inheritdoc />
    public void ReadTensor(WeightsTensor tensor, Span<byte> destination)
    {
        if (!_tensors.TryGetValue(tensor.Name, out var entry) || !ReferenceEquals(entry.Renamed, tensor))
            throw new ArgumentException($"Tensor {tensor.Name} is not one of {Path}'s.", nameof(tensor));
        _inner.ReadTensor(entry.Original, destination);
    }

    /// <summary>Closes the wrapped file.</summary>
    public void Dispose() => _inner.Dispose();
}
