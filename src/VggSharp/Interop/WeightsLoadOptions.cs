namespace VggSharp.Interop;

/// <summary>
/// What to assume about a weights file that does not describe its own model (a PyTorch state_dict): every value left
/// null is inferred from the file's keys and shapes (<see cref="WeightsFile.ReadOptions(string, WeightsLoadOptions?)"/>). A file that describes its
/// model (a VggSharp file's metadata, a Caffe model's layers: <see cref="IWeightsSource.DescribeModel"/>) is built as it
/// says; these values must then agree with it.
/// </summary>
public sealed record WeightsLoadOptions
{
    /// <summary>The configuration (a name or layer string), instead of the one matched from the convolutions' shapes.</summary>
    public string? Configuration { get; init; }

    /// <summary>
    /// The input size, instead of the one fc6's inputs imply (7·32 = 224 for torchvision's files). For a torchvision
    /// file, another size folds its 7x7 average pooling into fc6, as its network computes at that size.
    /// </summary>
    public int? InputSize { get; init; }
}
