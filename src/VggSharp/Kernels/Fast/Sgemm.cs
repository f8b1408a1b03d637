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

    /// <summary>Depth of the blocks a left operand packed whole is cut into (<see cref="PackedAOffset"/>).</summary>
    public const int PackedDepthBlock = BlockedGemm<Vector512<float>, Width512>.DepthBlock;

    /// <summary>Floats of an m x k left operand packed whole for <see cref="MultiplyPacked"/> (the layout is the same for every vector width).</summary>
    public static long PackedASize(int m, int k) => BlockedGemm<Vector512<float>, Width512>.PackedASize(m, k);

    /// <summary>Where element (i, p) of an m x k left operand lies once packed whole.</summary>
    public static long PackedAOffset(int m, int k, int i, int p) => BlockedGemm<Vector512<float>, Width512>.PackedAOffset(m, k, i, p);

    /// <summary>
    /// C = A * op(B) (+ C when <paramref name="accumulate"/>) on the calling thread, A being m x k packed whole
    /// (<see cref="PackedAOffset"/>, zero padding rows), so that an operand reused by many products is packed once.
    /// </summary>
    public static void MultiplyPacked(int m, int n, int k, float* packedA, bool transposeB, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
            BlockedGemm<Vector512<float>, Width512>.MultiplyPacked(m, n, k, packedA, transposeB, b, ldb, c, ldc, accumulate);
        else if (Vector256.IsHardwareAccelerated)
            BlockedGemm<Vector256<float>, Width256>.MultiplyPacked(m, n, k, packedA, transposeB, b, ldb, c, ldc, accumulate);
        else
            BlockedGemm<Vector128<float>, Width128>.MultiplyPacked(m, n, k, packedA, transposeB, b, ldb, c, ldc, accumulate);
    }
}
