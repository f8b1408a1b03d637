using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VggSharp.Kernels.Fast;

/// <summary>The driver loops for <see cref="IElementwiseOperator"/>s: widest vectors first, then narrower ones, then scalars.</summary>
internal static class ElementWise
{
    /// <summary>destination[i] = op(x[i], y[i]). The destination may be x or y (in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOperator>(TOperator op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TOperator : struct, IElementwiseOperator
    {
        if (x.Length != destination.Length || y.Length != destination.Length) throw new ArgumentException("Element-wise operands differ in length.");
        ref float xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y), dr = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)destination.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
                op.Invoke(Vector512.LoadUnsafe(ref xr, i), Vector512.LoadUnsafe(ref yr, i)).StoreUnsafe(ref dr, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
                op.Invoke(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i)).StoreUnsafe(ref dr, i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
                op.Invoke(Vector128.LoadUnsafe(ref xr, i), Vector128.LoadUnsafe(ref yr, i)).StoreUnsafe(ref dr, i);
        for (; i < n; i++)
            Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }

    /// <summary>
    /// The sum of op(x[i], y[i]) over i, in an order fixed by the length alone (so it is reproducible):
    /// per-lane partial sums, then the lanes, then the scalar tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum<TOperator>(TOperator op, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        where TOperator : struct, IElementwiseOperator
    {
        if (x.Length != y.Length) throw new ArgumentException("Element-wise operands differ in length.");
        ref float xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<float>.Count)
        {
            var acc = Vector512<float>.Zero;
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
                acc += op.Invoke(Vector512.LoadUnsafe(ref xr, i), Vector512.LoadUnsafe(ref yr, i));
            sum += Vector512.Sum(acc);
        }
        if (Vector256.IsHardwareAccelerated && n - i >= (nuint)Vector256<float>.Count)
        {
            var acc = Vector256<float>.Zero;
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
                acc += op.Invoke(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i));
            sum += Vector256.Sum(acc);
        }
        if (Vector128.IsHardwareAccelerated && n - i >= (nuint)Vector128<float>.Count)
        {
            var acc = Vector128<float>.Zero;
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
                acc += op.Invoke(Vector128.LoadUnsafe(ref xr, i), Vector128.LoadUnsafe(ref yr, i));
            sum += Vector128.Sum(acc);
        }
        for (; i < n; i++)
            sum += op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        return sum;
    }
}
