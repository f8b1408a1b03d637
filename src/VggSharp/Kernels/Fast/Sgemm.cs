using System.Runtime.Intrinsics;

namespace VggSharp.Kernels.Fast;

/// <summary>Single-precision matrix product on the widest vectors the machine accelerates.</summary>
internal static unsafe class Sgemm
{
    /// <summary>
    /// C = op(A) * op(B), or C += op(A) * op(B) when <paramref name="accumulate"/>. C is m x n (row stride ldc);
    /// op(A) is m x k, stored as a[i * lda + p], or a[p * lda + i] when <paramref name="transposeA"/>;
    /// op(B) is k x n, stored as b[p * ldb + j], or b[j * ldb + p] when <paramref name="transposeB"/>.
    /// All pointers must stay fixed (native memory or pinned). Deterministic whatever <paramref name="workers"/> holds.
    /// </summary>
    public static void Multiply(Workers workers, bool transposeA, bool transposeB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
            BlockedGemm<Vector512<float>, Width512>.Multiply(workers, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        else if (Vector256.IsHardwareAccelerated)
            BlockedGemm<Vector256<float>, Width256>.Multiply(workers, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        else
            BlockedGemm<Vector128<float>, Width128>.Multiply(workers, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    }
}
