using VggSharp.Tensors;

namespace VggSharp.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) pairs, the prediction being the highest score. Gives top-1 error and
/// per-class accuracy; carries the class names for reports. Not thread-safe: give each thread its own and
/// <see cref="Merge"/>.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>Creates an empty matrix over the classes named <paramref name="classNames"/> (label i is name i).</summary>
    public ConfusionMatrix(IReadOnlyList<string> classNames)
    {
        if (classNames.Count < 1) throw new ArgumentException("There is at least one class.", nameof(classNames));
        ClassNames = classNames.ToArray();
        _counts = new long[checked(Classes * Classes)];
    }

    /// <summary>Creates an empty matrix over <paramref name="classes"/> classes named "0", "1"...</summary>
    public ConfusionMatrix(int classes) : this(Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())
    {
    }

    /// <summary>The number of classes.</summary>
    public int Classes => ClassNames.Count;

    /// <summary>The class names by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>The samples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[Index(actual, predicted)];

    /// <summary>Counts one sample from its row of scores (logits or probabilities) and true label.</summary>
    public void Add(ReadOnlySpan<float> scores, int label)
    {
        ScoreRanking.Check(scores, label, Classes);
        Add(label, ScoreRanking.ArgMax(scores));
    }

    /// <summary>Counts a batch: row n of <paramref name="scores"/> ([N, classes]) has label <paramref name="labels"/>[n].</summary>
    public void Add(Tensor scores, ReadOnlySpan<int> labels)
    {
        if (scores.Shape.Rank != 2 || scores.Shape[0] != labels.Length)
            throw new ArgumentException($"Scores of shape {scores.Shape} do not match {labels.Length} labels.", nameof(scores));
        for (int n = 0; n < labels.Length; n++) Add(scores.Item(n), labels[n]);
    }

    /// <summary>Counts one sample whose prediction is already known.</summary>
    public void Add(int actual, int predicted)
    {
        _counts[Index(actual, predicted)]++;
        Total++;
    }

    /// <summary>The samples predicted correctly (the diagonal).</summary>
    public long Correct
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < Classes; c++) correct += this[c, c];
            return correct;
        }
    }

    /// <summary>Top-1 error as a fraction; 0 when nothing was counted.</summary>
    public double Top1Error => Total == 0 ? 0 : 1 - (double)Correct / Total;

    /// <summary>The samples whose true class is <paramref name="actual"/>.</summary>
    public long ClassTotal(int actual)
    {
        long total = 0;
        for (int p = 0; p < Classes; p++) total += this[actual, p];
        return total;
    }

    /// <summary>The fraction of class <paramref name="actual"/>'s samples predicted correctly (its recall), or null when it has none.</summary>
    public double? ClassAccuracy(int actual)
    {
        long total = ClassTotal(actual);
        return total == 0 ? null : (double)this[actual, actual] / total;
    }

    /// <summary>Adds another matrix over the same classes (from another thread or process).</summary>
    public void Merge(ConfusionMatrix other)
    {
        if (!other.ClassNames.SequenceEqual(ClassNames, StringComparer.Ordinal))
            throw new ArgumentException("Cannot merge confusion matrices over different classes.", nameof(other));
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Total += other.Total;
    }

    private int Index(int actual, int predicted)
    {
        if ((uint)actual >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"Labels are in [0, {Classes}).");
        if ((uint)predicted >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"Labels are in [0, {Classes}).");
        return actual * Classes + predicted;
    }
}
