using System.Runtime.InteropServices;

namespace VggSharp.Transfer;

/// <summary>
/// Descriptors in liblinear's sparse form (the non-zero values of each row, then the bias feature), in native memory
/// built once, so the SVM of every class and every value of C trains on the same rows; only the targets change.
/// </summary>
internal sealed unsafe class SvmProblem : IDisposable
{
    /// <summary>The value of the constant feature whose weight is the bias (liblinear regularises it with the rest).</summary>
    public const double BiasFeature = 1;

    private LibLinearNative.FeatureNode* _nodes;
    private LibLinearNative.FeatureNode** _rows;
    private double* _targets;

    /// <summary>Rows <paramref name="rows"/> of <paramref name="features"/>.</summary>
    public SvmProblem(FeatureSet features, IReadOnlyList<int> rows)
    {
        Dimension = features.Dimension;
        Count = rows.Count;
        long nodes = 0;
        foreach (int r in rows)
            foreach (float v in features.Row(r))
                if (v != 0) nodes++;
        nodes += 2L * rows.Count;
        _nodes = (LibLinearNative.FeatureNode*)NativeMemory.Alloc((nuint)nodes, (nuint)sizeof(LibLinearNative.FeatureNode));
        _rows = (LibLinearNative.FeatureNode**)NativeMemory.Alloc((nuint)Math.Max(1, rows.Count), (nuint)sizeof(nint));
        _targets = (double*)NativeMemory.Alloc((nuint)Math.Max(1, rows.Count), sizeof(double));
        var node = _nodes;
        for (int i = 0; i < rows.Count; i++)
        {
            _rows[i] = node;
            var row = features.Row(rows[i]);
            for (int j = 0; j < row.Length; j++)
                if (row[j] != 0) *node++ = new LibLinearNative.FeatureNode { Index = j + 1, Value = row[j] };
            *node++ = new LibLinearNative.FeatureNode { Index = Dimension + 1, Value = BiasFeature };
            *node++ = new LibLinearNative.FeatureNode { Index = -1 };
        }
    }

    /// <summary>The descriptors' length.</summary>
    public int Dimension { get; }

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>liblinear's problem with +1 for the rows where <paramref name="positive"/> is true, -1 elsewhere.</summary>
    public LibLinearNative.Problem WithTargets(ReadOnlySpan<bool> positive)
    {
        if (positive.Length != Count) throw new ArgumentException($"{positive.Length} targets for {Count} rows.", nameof(positive));
        for (int i = 0; i < Count; i++) _targets[i] = positive[i] ? 1 : -1;
        return new LibLinearNative.Problem { L = Count, N = Dimension + 1, Y = _targets, X = _rows, Bias = BiasFeature };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        NativeMemory.Free(_nodes);
        NativeMemory.Free(_rows);
        NativeMemory.Free(_targets);
        _nodes = null;
        _rows = null;
        _targets = null;
    }
}
