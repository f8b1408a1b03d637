using System.Runtime.CompilerServices;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layout the micro-kernel streams through: transposition is
/// resolved here, and ragged edges are padded with zeros so that the kernel always computes full tiles.
/// </summary>
internal static unsafe class GemmPacking<TVector, TWidth>
    where TVector : struct
    where TWidth : IVectorWidth<TVector>
{
    /// <summary>
    /// Packs rows [0, rows) and depth [0, depth) of op(A) (element (i, k) at a[i * lda + k], or a[k * lda + i] when
    /// transposed) as panels of <see cref="GemmMicroKernel{TVector, TWidth}.Rows"/> rows, each depth x Rows, k-major.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transposed, float* a, nint lda, int rows, int depth, float* destination)
    {
        const int mr = GemmMicroKernel<TVector, TWidth>.Rows;
        for (int i0 = 0; i0 < rows; i0 += mr, destination += mr * depth)
        {
            int valid = Math.Min(mr, rows - i0);
            if (transposed)
            {
                for (int k = 0; k < depth; k++)
                {
                    float* source = a + k * lda + i0;
                    float* d = destination + k * mr;
                    int i = 0;
                    for (; i < valid; i++) d[i] = source[i];
                    for (; i < mr; i++) d[i] = 0f;
                }
            }
            else
            {
                int k = 0;
                // Full panels on AVX-512: 16 depths of the 6 rows at a time, interleaved in registers.
                if (valid == mr && PanelTranspose.IsSupported)
                    for (; k + 16 <= depth; k += 16) PanelTranspose.Interleave6x16(a + i0 * lda + k, lda, destination + k * mr);
                for (int i = 0; i < mr; i++)
                {
                    float* d = destination + i;
                    if (i >= valid)
                    {
                        for (int p = 0; p < depth; p++) d[p * mr] = 0f;
                        continue;
                    }
                    float* source = a + (i0 + i) * lda;
                    for (int p = k; p < depth; p++) d[p * mr] = source[p];
                }
            }
        }
    }

    /// <summary>
    /// Packs depth [0, depth) and columns [0, columns) of op(B) (element (k, j) at b[k * ldb + j], or b[j * ldb + k]
    /// when transposed) as panels of <see cref="GemmMicroKernel{TVector, TWidth}.Columns"/> columns, each depth x Columns, k-major.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transposed, float* b, nint ldb, int depth, int columns, float* destination)
    {
        int nr = GemmMicroKernel<TVector, TWidth>.Columns, w = TWidth.Count;
        for (int j0 = 0; j0 < columns; j0 += nr, destination += nr * depth)
        {
            int valid = Math.Min(nr, columns - j0);
            if (transposed)
            {
                int k = 0;
                // Full panels, or a full first half (the last panel of a product as wide as one vector, as thin layers'
                // Winograd backward filter has): per vector of depths, each square half transposed in registers, an
                // empty half zeroed.
                if ((valid == nr || valid == w) && PanelTranspose.SupportsSquare(w))
                {
                    for (; k + w <= depth; k += w)
                    {
                        PanelTranspose.TransposeSquare(w, b + j0 * ldb + k, ldb, destination + k * nr, nr);
                        if (valid == nr) PanelTranspose.TransposeSquare(w, b + (j0 + w) * ldb + k, ldb, destination + k * nr + w, nr);
                        else for (int p = k; p < k + w; p++) TWidth.Store(default, destination + p * nr + w);
                    }
                }
                for (int j = 0; j < nr; j++)
                {
                    float* d = destination + j;
                    if (j >= valid)
                    {
                        for (int p = k; p < depth; p++) d[p * nr] = 0f;
                        continue;
                    }
                    float* source = b + (j0 + j) * ldb;
                    for (int p = k; p < depth; p++) d[p * nr] = source[p];
                }
            }
            else if (valid == nr)
            {
                for (int k = 0; k < depth; k++)
                {
                    float* source = b + k * ldb + j0;
                    float* d = destination + k * nr;
                    TWidth.Store(TWidth.Load(source), d);
                    TWidth.Store(TWidth.Load(source + w), d + w);
                }
            }
            else
            {
                for (int k = 0; k < depth; k++)
                {
                    float* source = b + k * ldb + j0;
                    float* d = destination + k * nr;
                    int j = 0;
                    for (; j < valid; j++) d[j] = source[j];
                    for (; j < nr; j++) d[j] = 0f;
                }
            }
        }
    }
}
