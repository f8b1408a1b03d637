using VggSharp.Tensors;

namespace VggSharp.Tests;

/// <summary>Seeded random tensors and tolerant comparisons for tests.</summary>
public static class TestData
{
    /// <summary>A tensor of uniform values in [-1, 1) from a seed.</summary>
    public static Tensor Random(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        var rng = new Random(seed);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    /// <summary>Largest absolute difference divided by the largest absolute expected value (norm-wise relative error).</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException("Lengths differ.");
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs((double)expected[i]));
            if (float.IsNaN(actual[i]) != float.IsNaN(expected[i])) return double.PositiveInfinity;
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }
}
