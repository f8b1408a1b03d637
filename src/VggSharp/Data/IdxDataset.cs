namespace VggSharp.Data;

/// <summary>
/// A grayscale image dataset from a pair of IDX files (MNIST's layout): an images file of count x rows x columns bytes
/// and a labels file of count bytes, both held in memory.
/// </summary>
public sealed class IdxDataset : IImageDataset
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly string _imagesPath;

    /// <summary>
    /// Reads both files and checks that they agree. Class names default to "0", "1", ... up to the largest label;
    /// when given, every label must index into them.
    /// </summary>
    public IdxDataset(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null)
    {
        // The small labels file first: the images file's count is checked against it before megabytes are inflated.
        IdxArray labels = IdxReader.Read(labelsPath, rank: 1);
        IdxArray images = IdxReader.Read(imagesPath, rank: 3, count: labels.Dimensions[0]);
        int classes = classNames?.Count ?? labels.Data.Max() + 1;
        for (int i = 0; i < labels.Data.Length; i++)
        {
            if (labels.Data[i] >= classes)
                throw new ImageFormatException($"{labelsPath} label {i}", $"label {labels.Data[i]} is not below the {classes} classes");
        }

        (_pixels, _labels, _imagesPath) = (images.Data, labels.Data, imagesPath);
        (Count, Height, Width) = (images.Dimensions[0], images.Dimensions[1], images.Dimensions[2]);
        ClassNames = classNames?.ToArray() ?? Enumerable.Range(0, classes).Select(c => c.ToString()).ToArray();
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Rows of every image.</summary>
    public int Height { get; }

    /// <summary>Columns of every image.</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public int LabelOf(int index) => _labels[CheckIndex(index)];

    /// <inheritdoc/>
    public string Describe(int index) => $"{_imagesPath} image {CheckIndex(index)}";

    /// <summary>Copies image <paramref name="index"/> out as 1 channel; the hint is ignored (the images are already small).</summary>
    public DecodedImage Load(int index, int? shortSideHint = null)
    {
        int size = Width * Height;
        return new DecodedImage(Width, Height, 1, _pixels.AsSpan(CheckIndex(index) * size, size).ToArray());
    }

    private int CheckIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return index;
    }
}
