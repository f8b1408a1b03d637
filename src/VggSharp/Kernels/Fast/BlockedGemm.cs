using System.Runtime.CompilerServices;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// The cache-blocked GEMM loops (Goto / BLIS order) for one vector width: a KC x NC block of op(B) is packed once
/// and reused by every MC-row block of op(A); a packed A block (MC x KC, ~150 KB) stays in L2 while each packed
/// B panel (KC x 2 vectors, 32 KB for AVX-512) stays in L1 across the micro-kernel calls that sweep it. A left
/// operand used many times (Winograd's transformed filters) can be packed once, in the same layout, and passed as is.
/// </summary>
internal static unsafe class BlockedGemm<TVector, TWidth>
    where TVector : struct
    where TWidth : IVectorWidth<TVector>
{
    public const int DepthBlock = 256;
    private const int RowBlock = 24 * GemmMicroKernel<TVector, TWidth>.Rows;
    private const int ColumnBlock = 2048;

    /// <summary>Floats of a whole m x k left operand packed by <see cref="PackedAOffset"/>'s layout.</summary>
    public static long PackedASize(int m, int k) => (long)RoundUp(m, GemmMicroKernel<TVector, TWidth>.Rows) * k;

    /// <summary>
    /// Where element (i, p) of an m x k left operand lies once packed whole: depth blocks of <see cref="DepthBlock"/>
    /// one after another, each holding every row panel (Rows rows, k-major) the GEMM would pack for that block.
    /// </summary>
    public static long PackedAOffset(int m, int k, int i, int p)
    {
        const int mr = GemmMicroKernel<TVector, TWidth>.Rows;
        int pc = p / DepthBlock * DepthBlock, kc = Math.Min(DepthBlock, k - pc);
        return (long)pc * RoundUp(m, mr) + (long)(i / mr * mr) * kc + (p - pc) * mr + i % mr;
    }

    /// <summary>
    /// C = A * op(B) (+ C when <paramref name="accumulate"/>) on the calling thread, with A (m x k) already packed
    /// whole (<see cref="PackedAOffset"/>; padding rows zero). Sums run in the same order as <see cref="Multiply"/>'s.
    /// </summary>
    public static void MultiplyPacked(int m, int n, int k, float* packedA, bool transposeB, float* b, int ldb, float* c, int ldc, bool accumulate) =>
        Sequential(false, transposeB, m, n, k, null, 0, b, ldb, c, ldc, accumulate, packedA);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Below this many multiply-adds a second thread costs more than it saves.</summary>
    private const long ParallelThreshold = 1L << 18;

    /// <summary>
    /// C = op(A) * op(B) (+ C when <paramref name="accumulate"/>), C being m x n with row stride ldc. The work is split
    /// over column (or row) blocks only; every element's sum over k runs in the same blocked order whatever the split.
    /// </summary>
    public static void Multiply(Workers workers, bool transposeA, bool transposeB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        int mr = GemmMicroKernel<TVector, TWidth>.Rows, nr = GemmMicroKernel<TVector, TWidth>.Columns;
        int pieces = (long)m * n * k < ParallelThreshold ? 1 : workers.Count;
        bool splitColumns = n >= m;
        int units = splitColumns ? (n + nr - 1) / nr : (m + mr - 1) / mr;
        pieces = Math.Min(pieces, units);
        if (pieces <= 1)
        {
            Sequential(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, null);
            return;
        }
        var job = new Blocks(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, splitColumns, (units + pieces - 1) / pieces);
        workers.For(pieces, ref job);
    }

    /// <summary>Piece p computes the p-th slice of <c>unitsPerPiece</c> micro-tile columns (or rows) of C.</summary>
    private readonly struct Blocks(bool transposeA, bool transposeB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, bool accumulate, bool splitColumns, int unitsPerPiece) : IWorkPiece
    {
        public void Run(int piece)
        {
            int mr = GemmMicroKernel<TVector, TWidth>.Rows, nr = GemmMicroKernel<TVector, TWidth>.Columns;
            int first = piece * unitsPerPiece;
            if (splitColumns)
            {
                int j0 = first * nr, width = Math.Min(unitsPerPiece * nr, n - j0);
                if (width <= 0) return;
                float* bj = transposeB ? b + (nint)j0 * ldb : b + j0;
                Sequential(transposeA, transposeB, m, width, k, a, lda, bj, ldb, c + j0, ldc, accumulate, null);
            }
            else
            {
                int i0 = first * mr, height = Math.Min(unitsPerPiece * mr, m - i0);
                if (height <= 0) return;
                float* ai = transposeA ? a + i0 : a + (nint)i0 * lda;
                Sequential(transposeA, transposeB, height, n, k, ai, lda, b, ldb, c + (nint)i0 * ldc, ldc, accumulate, null);
            }
        }
    }

    /// <summary>The blocked loops on one thread; <paramref name="prepackedA"/>, when not null, replaces packing A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sequential(bool transposeA, bool transposeB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate, float* prepackedA)
    {
        int mr = GemmMicroKernel<TVector, TWidth>.Rows, nr = GemmMicroKernel<TVector, TWidth>.Columns;
        int paddedRows = RoundUp(m, mr);
        float* packedA = prepackedA == null ? Workspace.PackedA(RowBlock * DepthBlock) : null;
        float* packedB = Workspace.PackedB(DepthBlock * ColumnBlock);
        float* edge = stackalloc float[mr * nr];
        for (int jc = 0; jc < n; jc += ColumnBlock)
        {
            int nc = Math.Min(ColumnBlock, n - jc);
            for (int pc = 0; pc < k; pc += DepthBlock)
            {
                int kc = Math.Min(DepthBlock, k - pc);
                bool add = accumulate || pc > 0;
                GemmPacking<TVector, TWidth>.PackB(transposeB, transposeB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, kc, nc, packedB);
                for (int ic = 0; ic < m; ic += RowBlock)
                {
                    int mc = Math.Min(RowBlock, m - ic);
                    float* blockA = prepackedA + (nint)pc * paddedRows + (nint)ic * kc;
                    if (prepackedA == null)
                    {
                        blockA = packedA;
                        GemmPacking<TVector, TWidth>.PackA(transposeA, transposeA ? a + pc * lda + ic : a + ic * lda + pc, lda, mc, kc, packedA);
                    }
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int columns = Math.Min(nr, nc - jr);
                        float* panelB = packedB + jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* panelA = blockA + ir * kc;
                            float* tile = c + (ic + ir) * ldc + jc + jr;
                            if (rows == mr && columns == nr)
                            {
                                GemmMicroKernel<TVector, TWidth>.Run(kc, panelA, panelB, tile, ldc, add);
                                continue;
                            }
                            // Ragged edge: compute the full tile into scratch (zero padding makes the extra entries 0),
                            // then add exactly as the full-tile path does, so the edge's bits match an interior tile's.
                            GemmMicroKernel<TVector, TWidth>.Run(kc, panelA, panelB, edge, nr, false);
                            for (int i = 0; i < rows; i++)
                            for (int j = 0; j < columns; j++)
                                tile[i * ldc + j] = add ? tile[i * ldc + j] + edge[i * nr + j] : edge[i * nr + j];
                        }
                    }
                }
            }
        }
    }
}
