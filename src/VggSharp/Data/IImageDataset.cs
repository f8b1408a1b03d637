namespace VggSharp.Data;

/// <summary>
/// A labelled set of images, read on demand. Implementations are safe to call from several threads at once,
/// since the loader decodes on background threads.
/// </summary>
public interface IImageDataset
{
    /// <summary>The number of images.</summary>
    int Count { get; }

    /// <summary>The class names, indexed by label.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The label of image <paramref name="index"/>, without decoding it.</summary>
    int LabelOf(int index);

    /// <summary>Where image <paramref name="index"/> comes from, for error reports (a path, or a file and record number).</summary>
    string Describe(int index);

    /// <summary>
    /// Decodes image <paramref name="index"/>. <paramref name="shortSideHint"/>, when given, is the smallest short side
    /// the caller will rescale to: a decoder may decode at a reduced size no smaller than it (JPEG's DCT scaling).
    /// A bad image throws <see cref="ImageFormatException"/> naming it and the reason.
    /// </summary>
    DecodedImage Load(int index, int? shortSideHint = null);
}
