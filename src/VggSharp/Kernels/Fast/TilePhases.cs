using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Converts between a row of pixels and its phases over 16 consecutive Winograd tiles, so that the transforms can run
/// with one tile per vector lane: phase j of tile u is pixel 4u + j. Tiles step by 4 pixels, so this is a 4-way
/// (de)interleave; phases 4 and 5, the overlap with the next tile, are phases 0 and 1 shifted by one tile. On AVX-512
/// it is done in registers with two-source permutes, elsewhere element by element.
/// </summary>
internal static unsafe class TilePhases
{
    /// <summary>Tiles per call: one per lane.</summary>
    public const int Tiles = 16;

    /// <summary>p_j[u] = line[4u + j] for j in 0..5 and u in 0..15; reads line[0, 80).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(float* line, out Vector512<float> p0, out Vector512<float> p1, out Vector512<float> p2,
        out Vector512<float> p3, out Vector512<float> p4, out Vector512<float> p5)
    {
        if (Avx512F.IsSupported)
        {
            // Pass 1: the phases of each half of the 64 pixels, two phases per vector; pass 2: the halves side by side.
            Vector512<int> phases01 = Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
            Vector512<int> phases23 = Vector512.Create(2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
            Vector512<int> lowHalves = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
            Vector512<int> highHalves = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
            Vector512<int> nextTile0 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
            Vector512<int> nextTile1 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17);
            Vector512<float> v0 = Vector512.Load(line), v1 = Vector512.Load(line + 16), v2 = Vector512.Load(line + 32);
            Vector512<float> v3 = Vector512.Load(line + 48), next = Vector512.Load(line + 64);
            var low01 = Avx512F.PermuteVar16x32x2(v0, phases01, v1);
            var low23 = Avx512F.PermuteVar16x32x2(v0, phases23, v1);
            var high01 = Avx512F.PermuteVar16x32x2(v2, phases01, v3);
            var high23 = Avx512F.PermuteVar16x32x2(v2, phases23, v3);
            p0 = Avx512F.PermuteVar16x32x2(low01, lowHalves, high01);
            p1 = Avx512F.PermuteVar16x32x2(low01, highHalves, high01);
            p2 = Avx512F.PermuteVar16x32x2(low23, lowHalves, high23);
            p3 = Avx512F.PermuteVar16x32x2(low23, highHalves, high23);
            p4 = Avx512F.PermuteVar16x32x2(p0, nextTile0, next);
            p5 = Avx512F.PermuteVar16x32x2(p1, nextTile1, next);
            return;
        }
        float* phases = stackalloc float[6 * Tiles];
        for (int j = 0; j < 6; j++)
        for (int u = 0; u < Tiles; u++)
            phases[j * Tiles + u] = line[4 * u + j];
        p0 = Vector512.Load(phases);
        p1 = Vector512.Load(phases + Tiles);
        p2 = Vector512.Load(phases + 2 * Tiles);
        p3 = Vector512.Load(phases + 3 * Tiles);
        p4 = Vector512.Load(phases + 4 * Tiles);
        p5 = Vector512.Load(phases + 5 * Tiles);
    }

    /// <summary>line[4u + j] = phases[j * stride + u] for j in 0..3 and u in 0..15; writes line[0, 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Merge(float* phases, nint stride, float* line)
    {
        if (Avx512F.IsSupported)
        {
            // Interleave pairs of phases, then pairs of pairs.
            Vector512<int> pairsLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            Vector512<int> pairsHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            Vector512<int> quadsLow = Vector512.Create(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
            Vector512<int> quadsHigh = Vector512.Create(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
            Vector512<float> p0 = Vector512.Load(phases), p1 = Vector512.Load(phases + stride);
            Vector512<float> p2 = Vector512.Load(phases + 2 * stride), p3 = Vector512.Load(phases + 3 * stride);
            var low01 = Avx512F.PermuteVar16x32x2(p0, pairsLow, p1);
            var high01 = Avx512F.PermuteVar16x32x2(p0, pairsHigh, p1);
            var low23 = Avx512F.PermuteVar16x32x2(p2, pairsLow, p3);
            var high23 = Avx512F.PermuteVar16x32x2(p2, pairsHigh, p3);
            Avx512F.PermuteVar16x32x2(low01, quadsLow, low23).Store(line);
            Avx512F.PermuteVar16x32x2(low01, quadsHigh, low23).Store(line + 16);
            Avx512F.PermuteVar16x32x2(high01, quadsLow, high23).Store(line + 32);
            Avx512F.PermuteVar16x32x2(high01, quadsHigh, high23).Store(line + 48);
            return;
        }
        for (int j = 0; j < 4; j++)
        for (int u = 0; u < Tiles; u++)
            line[4 * u + j] = phases[j * stride + u];
    }
}
