using System.Text;
using VggSharp.Data;
using VggSharp.Interop;
using VggSharp.Interop.Numpy;

namespace VggSharp.Transfer;

/// <summary>
/// Descriptors of a data set's images (one row of <see cref="Dimension"/> floats each, row-major), with their labels
/// and where each came from. <see cref="Save"/> writes them for NumPy: features.npy, labels.npy, files.txt, classes.txt.
/// </summary>
public sealed class FeatureSet
{
    /// <summary>The descriptors' file in a folder written by <see cref="Save"/>.</summary>
    public const string FeaturesFileName = "features.npy";

    /// <summary>The labels' file (int64, one per image).</summary>
    public const string LabelsFileName = "labels.npy";

    /// <summary>The images' paths (or file and record), one per line, in the descriptors' order.</summary>
    public const string FilesFileName = "files.txt";

    /// <summary>The class names, one per line, indexed by label.</summary>
    public const string ClassesFileName = "classes.txt";

    /// <summary>
    /// Wraps descriptors computed elsewhere; <paramref name="values"/> holds <paramref name="labels"/>.Length rows, of the
    /// images <paramref name="indices"/> of their data set (by default 0, 1, ...).
    /// </summary>
    public FeatureSet(float[] values, int dimension, int[] labels, IReadOnlyList<string> sources, IReadOnlyList<string> classNames,
        IReadOnlyList<BadImage>? badImages = null, double seconds = 0, IReadOnlyList<int>? indices = null)
    {
        if (indices is not null && indices.Count != labels.Length) throw new ArgumentException($"{labels.Length} descriptors but {indices.Count} indices.", nameof(indices));
        Indices = indices ?? [.. Enumerable.Range(0, labels.Length)];
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (values.LongLength != (long)labels.Length * dimension)
            throw new ArgumentException($"{labels.Length} descriptors of {dimension} values need {(long)labels.Length * dimension} values, not {values.LongLength}.", nameof(values));
        if (sources.Count != labels.Length) throw new ArgumentException($"{labels.Length} descriptors but {sources.Count} sources.", nameof(sources));
        foreach (int label in labels)
            if ((uint)label >= (uint)classNames.Count) throw new ArgumentException($"Label {label} is not one of the {classNames.Count} classes.", nameof(labels));
        (Values, Dimension, Labels, Sources, ClassNames, BadImages, Seconds) = (values, dimension, labels, sources, classNames, badImages ?? [], seconds);
    }

    /// <summary>The descriptors, row after row.</summary>
    public float[] Values { get; }

    /// <summary>The length of a descriptor.</summary>
    public int Dimension { get; }

    /// <summary>The number of descriptors.</summary>
    public int Count => Labels.Length;

    /// <summary>Each descriptor's class.</summary>
    public int[] Labels { get; }

    /// <summary>Each descriptor's image, by its index in the data set it was extracted from.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Where each descriptor's image came from.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>The class names, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The images that could not be decoded and have no descriptor.</summary>
    public IReadOnlyList<BadImage> BadImages { get; }

    /// <summary>The seconds the extraction took.</summary>
    public double Seconds { get; }

    /// <summary>Descriptor <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Row(int index) => Values.AsSpan(checked(index * Dimension), Dimension);

    /// <summary>The descriptors of rows <paramref name="rows"/>, in that order.</summary>
    public FeatureSet Select(IReadOnlyList<int> rows)
    {
        var values = new float[(long)rows.Count * Dimension];
        for (int i = 0; i < rows.Count; i++) Row(rows[i]).CopyTo(values.AsSpan(i * Dimension, Dimension));
        return new FeatureSet(values, Dimension, [.. rows.Select(r => Labels[r])], [.. rows.Select(r => Sources[r])], ClassNames,
            indices: [.. rows.Select(r => Indices[r])]);
    }

    /// <summary>
    /// Writes features.npy ([images, dimension] float32), labels.npy ([images] int64), files.txt and classes.txt into
    /// <paramref name="directory"/> (created if needed), each file atomically; np.load reads the arrays.
    /// </summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        NpyWriter.Write(Path.Combine(directory, FeaturesFileName), [Count, Dimension], Values);
        NpyWriter.Write(Path.Combine(directory, LabelsFileName), [Count], Labels.Select(label => (long)label).ToArray());
        WriteLines(Path.Combine(directory, FilesFileName), Sources);
        WriteLines(Path.Combine(directory, ClassesFileName), ClassNames);
    }

    private static void WriteLines(string path, IEnumerable<string> lines)
    {
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(lines.Select(line => line + "\n")));
        AtomicFile.Write(path, stream => stream.Write(text));
    }
}
