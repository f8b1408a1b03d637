namespace VggSharp.Data;

/// <summary>
/// Some images of a data set, in a given order, optionally with only some of its classes renumbered 0, 1, ...
/// (Yosinski et al.'s split of a data set by classes; the Caltech protocol's N images per class). A view: nothing is copied.
/// </summary>
public sealed class DatasetSubset : IImageDataset
{
    private readonly IImageDataset _source;
    private readonly int[] _indices;
    private readonly int[] _labelOf;

    private DatasetSubset(IImageDataset source, int[] indices, int[] labelOf, IReadOnlyList<string> classNames) =>
        (_source, _indices, _labelOf, ClassNames) = (source, indices, labelOf, classNames);

    /// <summary>
    /// The images of <paramref name="source"/> whose class is one of <paramref name="classes"/> (indices into its class
    /// list), in data set order, labelled by their position in <paramref name="classes"/>.
    /// </summary>
    public static DatasetSubset OfClasses(IImageDataset source, IReadOnlyList<int> classes)
    {
        if (classes.Count == 0) throw new ArgumentException("A class subset needs at least one class.", nameof(classes));
        var labelOf = Enumerable.Repeat(-1, source.ClassNames.Count).ToArray();
        for (int i = 0; i < classes.Count; i++)
        {
            int c = classes[i];
            if ((uint)c >= (uint)source.ClassNames.Count)
                throw new ArgumentException($"Class {c} does not exist: the data set has classes 0 to {source.ClassNames.Count - 1}.", nameof(classes));
            if (labelOf[c] >= 0) throw new ArgumentException($"Class {c} is listed twice.", nameof(classes));
            labelOf[c] = i;
        }
        var indices = Enumerable.Range(0, source.Count).Where(i => labelOf[source.LabelOf(i)] >= 0).ToArray();
        return new DatasetSubset(source, indices, labelOf, [.. classes.Select(c => source.ClassNames[c])]);
    }

    /// <summary>Images <paramref name="indices"/> of <paramref name="source"/>, in that order, with its classes and labels.</summary>
    public static DatasetSubset OfImages(IImageDataset source, IReadOnlyList<int> indices)
    {
        foreach (int i in indices)
            if ((uint)i >= (uint)source.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"The data set has {source.Count} images.");
        return new DatasetSubset(source, [.. indices], [.. Enumerable.Range(0, source.ClassNames.Count)], source.ClassNames);
    }

    /// <inheritdoc />
    public int Count => _indices.Length;

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc />
    public int LabelOf(int index) => _labelOf[_source.LabelOf(SourceIndex(index))];

    /// <inheritdoc />
    public string Describe(int index) => _source.Describe(SourceIndex(index));

    /// <inheritdoc />
    public DecodedImage Load(int index, int? shortSideHint = null) => _source.Load(SourceIndex(index), shortSideHint);

    private int SourceIndex(int index) =>
        (uint)index < (uint)_indices.Length ? _indices[index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"The subset has {_indices.Length} images.");
}
