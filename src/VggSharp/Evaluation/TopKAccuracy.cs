using VggSharp.Tensors;

namespace VggSharp.Evaluation;

/// <summary>
/// Counts how often the true class is among the k highest scores, for every k up to <see cref="MaxK"/> at once
/// (top-1 and top-5 error are the paper's measures). Not thread-safe: give each thread its own and <see cref="Merge"/>.
/// </summary>
public sealed class TopKAccuracy
{
    private readonly long[] _hitsAtRank;

    /// <summary>Creates an empty count for <paramref name="classes"/> classes and k up to <paramref name="maxK"/> (default 5).</summary>
    public TopKAccuracy(int classes, int maxK = 5)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "There is at least one class.");
        if (maxK < 1) throw new ArgumentOutOfRangeException(nameof(maxK), maxK, "k is at least 1.");
        Classes = classes;
        MaxK = maxK;
        _hitsAtRank = new long[maxK];
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>The largest k counted.</summary>
    public int MaxK { get; }

    /// <summary>The samples counted.</summary>
    public long Count { get; private set; }

    /// <summary>Counts one sample from its row of scores (logits or probabilities) and true label.</summary>
    public void Add(ReadOnlySpan<float> scores, int label)
    {
        ScoreRanking.Check(scores, label, Classes);
        int rank = ScoreRanking.RankOf(scores, label);
        if (rank < MaxK) _hitsAtRank[rank]++;
        Count++;
    }

    /// <summary>Counts a batch: row n of <paramref name="scores"/> ([N, classes]) has label <paramref name="labels"/>[n].</summary>
    public void Add(Tensor scores, ReadOnlySpan<int> labels)
    {
        if (scores.Shape.Rank != 2 || scores.Shape[0] != labels.Length)
            throw new ArgumentException($"Scores of shape {scores.Shape} do not match {labels.Length} labels.", nameof(scores));
        for (int n = 0; n < labels.Length; n++) Add(scores.Item(n), labels[n]);
    }

    /// <summary>The samples whose label is among the top <paramref name="k"/> scores.</summary>
    public long Correct(int k)
    {
        if (k < 1 || k > MaxK) throw new ArgumentOutOfRangeException(nameof(k), k, $"k is in [1, {MaxK}].");
        long hits = 0;
        for (int r = 0; r < k; r++) hits += _hitsAtRank[r];
        return hits;
    }

    /// <summary>The top-k accuracy as a fraction; 0 when nothing was counted.</summary>
    public double Accuracy(int k) => Count == 0 ? 0 : (double)Correct(k) / Count;

    /// <summary>The top-k error as a fraction (1 - accuracy); 0 when nothing was counted.</summary>
    public double Error(int k) => Count == 0 ? 0 : 1 - Accuracy(k);

    /// <summary>Adds another count of the same classes and k (from another thread or process).</summary>
    public void Merge(TopKAccuracy other)
    {
        if (other.Classes != Classes || other.MaxK != MaxK)
            throw new ArgumentException($"Cannot merge top-{other.MaxK} counts over {other.Classes} classes into top-{MaxK} over {Classes}.", nameof(other));
        for (int r = 0; r < MaxK; r++) _hitsAtRank[r] += other._hitsAtRank[r];
        Count += other.Count;
    }
}
