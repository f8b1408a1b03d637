using System.Runtime.CompilerServices;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// The register-blocked inner kernel: a <see cref="Rows"/> x (2 vectors) tile of C from one packed A panel and one packed
/// B panel. Twelve accumulators, two B vectors and one broadcast fit the 16 registers of AVX2 and leave room in AVX-512's 32.
/// </summary>
internal static unsafe class GemmMicroKernel<TVector, TWidth>
    where TVector : struct
    where TWidth : IVectorWidth<TVector>
{
    public const int Rows = 6;

    /// <summary>Columns of the tile: two vectors.</summary>
    public static int Columns => 2 * TWidth.Count;

    /// <summary>
    /// c[i, j] = (accumulate ? c[i, j] : 0) + sum over k of a[k * Rows + i] * b[k * Columns + j], for a full tile.
    /// The sum over k runs in ascending order, so the result is the same wherever the tile lies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int depth, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        int w = TWidth.Count;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TVector c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int k = 0; k < depth; k++)
        {
            TVector b0 = TWidth.Load(b), b1 = TWidth.Load(b + w);
            TVector ai = TWidth.Broadcast(a[0]);
            c00 = TWidth.MultiplyAdd(ai, b0, c00); c01 = TWidth.MultiplyAdd(ai, b1, c01);
            ai = TWidth.Broadcast(a[1]);
            c10 = TWidth.MultiplyAdd(ai, b0, c10); c11 = TWidth.MultiplyAdd(ai, b1, c11);
            ai = TWidth.Broadcast(a[2]);
            c20 = TWidth.MultiplyAdd(ai, b0, c20); c21 = TWidth.MultiplyAdd(ai, b1, c21);
            ai = TWidth.Broadcast(a[3]);
            c30 = TWidth.MultiplyAdd(ai, b0, c30); c31 = TWidth.MultiplyAdd(ai, b1, c31);
            ai = TWidth.Broadcast(a[4]);
            c40 = TWidth.MultiplyAdd(ai, b0, c40); c41 = TWidth.MultiplyAdd(ai, b1, c41);
            ai = TWidth.Broadcast(a[5]);
            c50 = TWidth.MultiplyAdd(ai, b0, c50); c51 = TWidth.MultiplyAdd(ai, b1, c51);
            a += Rows;
            b += 2 * w;
        }
        StoreRow(c, w, c00, c01, accumulate);
        StoreRow(c + ldc, w, c10, c11, accumulate);
        StoreRow(c + 2 * ldc, w, c20, c21, accumulate);
        StoreRow(c + 3 * ldc, w, c30, c31, accumulate);
        StoreRow(c + 4 * ldc, w, c40, c41, accumulate);
        StoreRow(c + 5 * ldc, w, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, int w, TVector left, TVector right, bool accumulate)
    {
        if (accumulate)
        {
            left = TWidth.Add(TWidth.Load(c), left);
            right = TWidth.Add(TWidth.Load(c + w), right);
        }
        TWidth.Store(left, c);
        TWidth.Store(right, c + w);
    }
}
