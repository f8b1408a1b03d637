using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// In-register transposes for packing GEMM panels whose source runs along k: a 16 x 16 block on AVX-512 and an 8 x 8
/// block on AVX (halves of the right operand's 32- or 16-column panels), and a 6 x 16 block on AVX-512 (the left
/// operand's 6-row panels). Callers check
/// <see cref="IsSupported"/>; each replaces 256 or 96 scalar copies with a few dozen shuffles.
/// </summary>
internal static unsafe class PanelTranspose
{
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>Whether <see cref="TransposeSquare"/> transposes <paramref name="size"/> x <paramref name="size"/> blocks in registers (16 on AVX-512, 8 on AVX).</summary>
    public static bool SupportsSquare(int size) => size == 16 ? Avx512F.IsSupported : size == 8 && Avx.IsSupported;

    /// <summary>destination[c * destinationStride + r] = source[r * sourceStride + c] for r, c in [0, size); see <see cref="SupportsSquare"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeSquare(int size, float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        if (size == 16) Transpose16x16(source, sourceStride, destination, destinationStride);
        else Transpose8x8(source, sourceStride, destination, destinationStride);
    }

    /// <summary>
    /// The AVX form of <see cref="Transpose16x16"/> for 8 x 8: pairs of rows interleaved, 4 x 4 blocks transposed within
    /// each 128-bit lane (vector k holding columns k and k + 4), then lanes recombined across the two row groups.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        FourRowsOfEight(source, sourceStride, out var c0, out var c1, out var c2, out var c3);
        FourRowsOfEight(source + 4 * sourceStride, sourceStride, out var c4, out var c5, out var c6, out var c7);
        Avx.Permute2x128(c0, c4, 0x20).Store(destination);
        Avx.Permute2x128(c1, c5, 0x20).Store(destination + destinationStride);
        Avx.Permute2x128(c2, c6, 0x20).Store(destination + 2 * destinationStride);
        Avx.Permute2x128(c3, c7, 0x20).Store(destination + 3 * destinationStride);
        Avx.Permute2x128(c0, c4, 0x31).Store(destination + 4 * destinationStride);
        Avx.Permute2x128(c1, c5, 0x31).Store(destination + 5 * destinationStride);
        Avx.Permute2x128(c2, c6, 0x31).Store(destination + 6 * destinationStride);
        Avx.Permute2x128(c3, c7, 0x31).Store(destination + 7 * destinationStride);
    }

    /// <summary>Four rows of 8 to four vectors whose lane L holds columns 4L, 4L + 1, 4L + 2, 4L + 3 of those rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRowsOfEight(float* source, nint stride, out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3)
    {
        Vector256<float> r0 = Vector256.Load(source), r1 = Vector256.Load(source + stride);
        Vector256<float> r2 = Vector256.Load(source + 2 * stride), r3 = Vector256.Load(source + 3 * stride);
        Vector256<float> low01 = Avx.UnpackLow(r0, r1), high01 = Avx.UnpackHigh(r0, r1);
        Vector256<float> low23 = Avx.UnpackLow(r2, r3), high23 = Avx.UnpackHigh(r2, r3);
        c0 = Avx.Shuffle(low01, low23, 0x44);
        c1 = Avx.Shuffle(low01, low23, 0xEE);
        c2 = Avx.Shuffle(high01, high23, 0x44);
        c3 = Avx.Shuffle(high01, high23, 0xEE);
    }

    /// <summary>destination[c * destinationStride + r] = source[r * sourceStride + c] for r, c in [0, 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose16x16(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        // Within each 128-bit lane: pairs of rows interleaved, then 4 x 4 blocks transposed (u[4g + k] holds column
        // 4L + k of rows 4g..4g+3 in lane L); then whole lanes are gathered across the four row groups in two steps.
        Vector512<float> u0, u1, u2, u3, u4, u5, u6, u7, u8, u9, u10, u11, u12, u13, u14, u15;
        FourRows(source, sourceStride, out u0, out u1, out u2, out u3);
        FourRows(source + 4 * sourceStride, sourceStride, out u4, out u5, out u6, out u7);
        FourRows(source + 8 * sourceStride, sourceStride, out u8, out u9, out u10, out u11);
        FourRows(source + 12 * sourceStride, sourceStride, out u12, out u13, out u14, out u15);
        Columns(u0, u4, u8, u12, destination, destinationStride);
        Columns(u1, u5, u9, u13, destination + destinationStride, destinationStride);
        Columns(u2, u6, u10, u14, destination + 2 * destinationStride, destinationStride);
        Columns(u3, u7, u11, u15, destination + 3 * destinationStride, destinationStride);
    }

    /// <summary>Four rows to four vectors whose lane L holds columns 4L, 4L + 1, 4L + 2, 4L + 3 of those rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRows(float* source, nint stride, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3)
    {
        Vector512<float> r0 = Vector512.Load(source), r1 = Vector512.Load(source + stride);
        Vector512<float> r2 = Vector512.Load(source + 2 * stride), r3 = Vector512.Load(source + 3 * stride);
        Vector512<float> low01 = Avx512F.UnpackLow(r0, r1), high01 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> low23 = Avx512F.UnpackLow(r2, r3), high23 = Avx512F.UnpackHigh(r2, r3);
        c0 = Avx512F.Shuffle(low01, low23, 0x44);
        c1 = Avx512F.Shuffle(low01, low23, 0xEE);
        c2 = Avx512F.Shuffle(high01, high23, 0x44);
        c3 = Avx512F.Shuffle(high01, high23, 0xEE);
    }

    /// <summary>
    /// Columns k, 4 + k, 8 + k and 12 + k from the blocks of one column offset k of the four row groups, stored 4
    /// destination rows apart starting at <paramref name="destination"/> (row k).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(Vector512<float> rows0, Vector512<float> rows4, Vector512<float> rows8, Vector512<float> rows12,
        float* destination, nint stride)
    {
        Vector512<float> even04 = Avx512F.Shuffle4x128(rows0, rows4, 0x88), odd04 = Avx512F.Shuffle4x128(rows0, rows4, 0xDD);
        Vector512<float> even812 = Avx512F.Shuffle4x128(rows8, rows12, 0x88), odd812 = Avx512F.Shuffle4x128(rows8, rows12, 0xDD);
        Avx512F.Shuffle4x128(even04, even812, 0x88).Store(destination);
        Avx512F.Shuffle4x128(odd04, odd812, 0x88).Store(destination + 4 * stride);
        Avx512F.Shuffle4x128(even04, even812, 0xDD).Store(destination + 8 * stride);
        Avx512F.Shuffle4x128(odd04, odd812, 0xDD).Store(destination + 12 * stride);
    }

    /// <summary>
    /// destination[k * 6 + r] = source[r * sourceStride + k] for r in [0, 6) and k in [0, 16): 96 contiguous floats.
    /// Rows are interleaved in pairs, then each output vector takes its 8 pairs from the three pair vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave6x16(float* source, nint sourceStride, float* destination)
    {
        Vector512<int> pairsLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        Vector512<int> pairsHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        Vector512<float> r0 = Vector512.Load(source), r1 = Vector512.Load(source + sourceStride);
        Vector512<float> r2 = Vector512.Load(source + 2 * sourceStride), r3 = Vector512.Load(source + 3 * sourceStride);
        Vector512<float> r4 = Vector512.Load(source + 4 * sourceStride), r5 = Vector512.Load(source + 5 * sourceStride);
        Eight(Avx512F.PermuteVar16x32x2(r0, pairsLow, r1), Avx512F.PermuteVar16x32x2(r2, pairsLow, r3), Avx512F.PermuteVar16x32x2(r4, pairsLow, r5), destination);
        Eight(Avx512F.PermuteVar16x32x2(r0, pairsHigh, r1), Avx512F.PermuteVar16x32x2(r2, pairsHigh, r3), Avx512F.PermuteVar16x32x2(r4, pairsHigh, r5), destination + 48);
    }

    /// <summary>Eight k's of three pair vectors (rows 0-1, 2-3, 4-5; pair k in 64-bit lane k) as 48 floats, k-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Eight(Vector512<float> pairs01, Vector512<float> pairs23, Vector512<float> pairs45, float* destination)
    {
        Vector512<double> a = pairs01.AsDouble(), b = pairs23.AsDouble(), c = pairs45.AsDouble();
        // Output pair p (of 24) is pair p / 3 of a, b or c as p % 3 is 0, 1 or 2; the first permute takes a and b, the second adds c.
        Vector512<double> ab0 = Avx512F.PermuteVar8x64x2(a, Vector512.Create(0L, 8, 0, 1, 9, 0, 2, 10), b);
        Avx512F.PermuteVar8x64x2(ab0, Vector512.Create(0L, 1, 8, 3, 4, 9, 6, 7), c).AsSingle().Store(destination);
        Vector512<double> ab1 = Avx512F.PermuteVar8x64x2(a, Vector512.Create(0L, 3, 11, 0, 4, 12, 0, 5), b);
        Avx512F.PermuteVar8x64x2(ab1, Vector512.Create(10L, 1, 2, 11, 4, 5, 12, 7), c).AsSingle().Store(destination + 16);
        Vector512<double> ab2 = Avx512F.PermuteVar8x64x2(a, Vector512.Create(13L, 0, 6, 14, 0, 7, 15, 0), b);
        Avx512F.PermuteVar8x64x2(ab2, Vector512.Create(0L, 13, 2, 3, 14, 5, 6, 15), c).AsSingle().Store(destination + 32);
    }
}
