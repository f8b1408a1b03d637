using VggSharp.Kernels.Fast;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Kernels;

/// <summary>The SGEMM against a naive triple loop, for every transpose combination and ragged sizes that cross block edges.</summary>
public unsafe class SgemmTests
{
    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    /// <summary>
    /// (m, n, k): edges of the 6 x 32 tile, the 144-row and 256-deep blocks, and the 2048-column block; a last panel of
    /// one vector wide (16 columns on AVX-512, 8 on AVX2), which a transposed right operand packs by square transposes
    /// beside zeros.
    /// </summary>
    private static readonly (int M, int N, int K)[] Sizes =
        [(1, 1, 1), (5, 31, 33), (33, 97, 5), (97, 250, 31), (250, 33, 300), (7, 2100, 3), (1, 250, 97), (16, 48, 300), (9, 24, 40)];

    [Theory]
    [MemberData(nameof(Transposes))]
    public void MatchesTripleLoop(bool transposeA, bool transposeB)
    {
        foreach (var (m, n, k) in Sizes)
        foreach (bool accumulate in new[] { false, true })
        {
            using var a = TestData.Random(m * 7 + k, m * k);
            using var b = TestData.Random(n * 5 + k, k * n);
            using var c = TestData.Random(m + n, m * n);
            var expected = Naive(transposeA, transposeB, m, n, k, a.ToArray(), b.ToArray(), accumulate ? c.ToArray() : null);
            int lda = transposeA ? m : k, ldb = transposeB ? k : n;
            Sgemm.Multiply(new Workers(2), transposeA, transposeB, m, n, k, a.Data(), lda, b.Data(), ldb, c.Data(), n, accumulate);
            double error = TestData.RelativeError(c.Span, expected);
            Assert.True(error <= 1e-5, $"({m}, {n}, {k}) accumulate={accumulate}: relative error {error:E2}");
        }
    }

    [Fact]
    public void ThreadCountDoesNotChangeBits()
    {
        const int m = 97, n = 250, k = 300;
        using var a = TestData.Random(1, m * k);
        using var b = TestData.Random(2, k * n);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var c = TestData.Random(3, m * n);
            Sgemm.Multiply(new Workers(threads), false, true, m, n, k, a.Data(), k, b.Data(), k, c.Data(), n, true);
            first ??= c.ToArray();
            Assert.Equal(first, c.ToArray());
        }
    }

    private static float[] Naive(bool transposeA, bool transposeB, int m, int n, int k, float[] a, float[] b, float[]? c)
    {
        var result = new float[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = c?[i * n + j] ?? 0;
            for (int p = 0; p < k; p++)
                sum += (double)(transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j]);
            result[i * n + j] = (float)sum;
        }
        return result;
    }
}
