using VggSharp.Data;

namespace VggSharp.Tests.Evaluation;

/// <summary>An in-memory data set for evaluation tests; a null image stands for a file that cannot be decoded.</summary>
public sealed class SyntheticDataset(IReadOnlyList<string> classNames, IReadOnlyList<(DecodedImage? Image, int Label)> items) : IImageDataset
{
    /// <inheritdoc />
    public int Count => items.Count;

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames => classNames;

    /// <inheritdoc />
    public int LabelOf(int index) => items[index].Label;

    /// <inheritdoc />
    public string Describe(int index) => $"image{index}.png";

    /// <inheritdoc />
    public DecodedImage Load(int index, int? shortSideHint = null) =>
        items[index].Image ?? throw new ImageFormatException(Describe(index), "truncated");
}
