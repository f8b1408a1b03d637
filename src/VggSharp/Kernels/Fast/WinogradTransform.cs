using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// The one-dimensional transforms of Winograd's F(4, 3) on the points 0, 1, -1, 2, -2 and infinity (Lavin and Gray,
/// 2016), each lane a different tile or filter. A two-dimensional transform is a one-dimensional one along rows, then
/// along columns. The input transform Bᵀ and the output transform Aᵀ have small integer coefficients, so they add no
/// rounding beyond the additions themselves; only G (the filter transform) has fractions (1/4, 1/6, 1/12, 1/24).
/// Sources are read at <c>source + i * sourceStride</c> and results stored at <c>destination + k * destinationStride</c>.
/// </summary>
internal static unsafe class WinogradTransform
{
    /// <summary>Output pixels per tile side (m).</summary>
    public const int Tile = 4;

    /// <summary>Input pixels per tile side, and transformed points per side: m + r - 1.</summary>
    public const int Alpha = 6;

    /// <summary>Transformed points per tile: one GEMM each.</summary>
    public const int Points = Alpha * Alpha;

    /// <summary>Bᵀ d, six input pixels to six points.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, Vector512<float> d4,
        Vector512<float> d5, float* destination, nint stride)
    {
        Vector512<float> four = Vector512.Create(4f), five = Vector512.Create(-5f), two = Vector512.Create(2f);
        var a = Vector512.FusedMultiplyAdd(-four, d2, d4);
        var b = Vector512.FusedMultiplyAdd(-four, d1, d3);
        var c = d4 - d2;
        var e = two * (d3 - d1);
        Vector512.FusedMultiplyAdd(four, d0, Vector512.FusedMultiplyAdd(five, d2, d4)).Store(destination);
        (a + b).Store(destination + stride);
        (a - b).Store(destination + 2 * stride);
        (c + e).Store(destination + 3 * stride);
        (c - e).Store(destination + 4 * stride);
        Vector512.FusedMultiplyAdd(four, d1, Vector512.FusedMultiplyAdd(five, d3, d5)).Store(destination + 5 * stride);
    }

    /// <summary><see cref="Input(Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float}, float*, nint)"/> on six vectors in memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input(float* source, nint sourceStride, float* destination, nint destinationStride) =>
        Input(Vector512.Load(source), Vector512.Load(source + sourceStride), Vector512.Load(source + 2 * sourceStride),
            Vector512.Load(source + 3 * sourceStride), Vector512.Load(source + 4 * sourceStride), Vector512.Load(source + 5 * sourceStride),
            destination, destinationStride);

    /// <summary>Aᵀ m + offset, six points to four output pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output(float* source, nint sourceStride, Vector512<float> offset, float* destination, nint destinationStride)
    {
        Vector512<float> m0 = Vector512.Load(source), m1 = Vector512.Load(source + sourceStride), m2 = Vector512.Load(source + 2 * sourceStride);
        Vector512<float> m3 = Vector512.Load(source + 3 * sourceStride), m4 = Vector512.Load(source + 4 * sourceStride);
        Vector512<float> m5 = Vector512.Load(source + 5 * sourceStride);
        Vector512<float> s1 = m1 + m2, d1 = m1 - m2, s2 = m3 + m4, d2 = m3 - m4;
        (m0 + s1 + s2 + offset).Store(destination);
        (Vector512.FusedMultiplyAdd(Vector512.Create(2f), d2, d1) + offset).Store(destination + destinationStride);
        (Vector512.FusedMultiplyAdd(Vector512.Create(4f), s2, s1) + offset).Store(destination + 2 * destinationStride);
        (Vector512.FusedMultiplyAdd(Vector512.Create(8f), d2, d1) + m5 + offset).Store(destination + 3 * destinationStride);
    }

    /// <summary>G g, three filter taps to six points.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Filter(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        Vector512<float> g0 = Vector512.Load(source), g1 = Vector512.Load(source + sourceStride), g2 = Vector512.Load(source + 2 * sourceStride);
        var even = g0 + g2;
        var quarter = Vector512.FusedMultiplyAdd(Vector512.Create(1f / 24f), g0, Vector512.Create(1f / 6f) * g2);
        var twelfth = Vector512.Create(1f / 12f) * g1;
        var sixth = Vector512.Create(-1f / 6f);
        (Vector512.Create(0.25f) * g0).Store(destination);
        (sixth * (even + g1)).Store(destination + destinationStride);
        (sixth * (even - g1)).Store(destination + 2 * destinationStride);
        (quarter + twelfth).Store(destination + 3 * destinationStride);
        (quarter - twelfth).Store(destination + 4 * destinationStride);
        g2.Store(destination + 5 * destinationStride);
    }

    /// <summary>A y, four output-gradient pixels to six points (the transpose of <see cref="Output"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputGradient(float* source, nint sourceStride, float* destination, nint destinationStride) =>
        OutputGradient(Vector512.Load(source), Vector512.Load(source + sourceStride), Vector512.Load(source + 2 * sourceStride),
            Vector512.Load(source + 3 * sourceStride), destination, destinationStride);

    /// <summary>A y on four vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputGradient(Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3,
        float* destination, nint destinationStride)
    {
        Vector512<float> even = y0 + y2, odd = y1 + y3;
        var evenWide = Vector512.FusedMultiplyAdd(Vector512.Create(4f), y2, y0);
        var oddWide = Vector512.FusedMultiplyAdd(Vector512.Create(8f), y3, Vector512.Create(2f) * y1);
        y0.Store(destination);
        (even + odd).Store(destination + destinationStride);
        (even - odd).Store(destination + 2 * destinationStride);
        (evenWide + oddWide).Store(destination + 3 * destinationStride);
        (evenWide - oddWide).Store(destination + 4 * destinationStride);
        y3.Store(destination + 5 * destinationStride);
    }

    /// <summary>Gᵀ u, six points to three filter taps (the transpose of <see cref="Filter"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FilterGradient(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        Vector512<float> u0 = Vector512.Load(source), u1 = Vector512.Load(source + sourceStride), u2 = Vector512.Load(source + 2 * sourceStride);
        Vector512<float> u3 = Vector512.Load(source + 3 * sourceStride), u4 = Vector512.Load(source + 4 * sourceStride);
        Vector512<float> u5 = Vector512.Load(source + 5 * sourceStride);
        Vector512<float> sum12 = u1 + u2, sum34 = u3 + u4, sixth = Vector512.Create(1f / 6f);
        var quarter = Vector512.FusedMultiplyAdd(Vector512.Create(1f / 24f), sum34, Vector512.FusedMultiplyAdd(-sixth, sum12, Vector512.Create(0.25f) * u0));
        var middle = Vector512.FusedMultiplyAdd(Vector512.Create(1f / 12f), u3 - u4, sixth * (u2 - u1));
        var last = Vector512.FusedMultiplyAdd(sixth, sum34 - sum12, u5);
        quarter.Store(destination);
        middle.Store(destination + destinationStride);
        last.Store(destination + 2 * destinationStride);
    }
}
