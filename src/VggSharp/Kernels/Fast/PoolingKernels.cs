using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>2x2 stride-2 max pooling, parallel over planes (a plane is written by one worker, so argmax ties resolve as in the reference).</summary>
internal static unsafe class PoolingKernels
{
    public static void Forward(Workers workers, Tensor input, Tensor output, int* argmax)
    {
        int planes = input.Shape.N * input.Shape.C, h = input.Shape.H, w = input.Shape.W;
        float* x = input.Data(), y = output.Data();
        var job = new ForwardPlanes(x, h, w, y, argmax);
        workers.ForRanges(planes, 4, ref job);
    }

    private readonly struct ForwardPlanes(float* x, int h, int w, float* y, int* argmax) : IRangePiece
    {
        public void Run(int first, int count)
        {
            int oh = h / 2, ow = w / 2;
            for (int p = first; p < first + count; p++) ForwardPlane(x + (long)p * h * w, w, oh, ow, y + (long)p * oh * ow, argmax + (long)p * oh * ow);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane(float* x, int w, int oh, int ow, float* y, int* argmax)
    {
        for (int yy = 0; yy < oh; yy++)
        {
            float* top = x + 2 * yy * w, bottom = top + w;
            int xx = Avx512F.IsSupported ? ForwardRow(top, w, 2 * yy * w, ow, y + yy * ow, argmax + yy * ow) : 0;
            for (; xx < ow; xx++)
            {
                // Strict > in row-major order keeps the first of equal maxima, as the reference does.
                int column = 2 * xx, corner = 2 * yy * w + column, best = corner;
                float max = top[column];
                TakeScalar(top[column + 1], corner + 1, ref max, ref best);
                TakeScalar(bottom[column], corner + w, ref max, ref best);
                TakeScalar(bottom[column + 1], corner + w + 1, ref max, ref best);
                y[yy * ow + xx] = max;
                argmax[yy * ow + xx] = best;
            }
        }
    }

    /// <summary>
    /// Where candidate &gt; max (strictly), takes it and its index, without a branch: on narrow rows (and without
    /// AVX-512) every output goes through here, and random maxima made branches mispredict about half the time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TakeScalar(float candidate, int index, ref float max, ref int best)
    {
        bool greater = candidate > max;
        int mask = -Unsafe.As<bool, byte>(ref greater);
        best ^= (best ^ index) & mask;
        max = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(max) ^ ((BitConverter.SingleToInt32Bits(max) ^ BitConverter.SingleToInt32Bits(candidate)) & mask));
    }

    /// <summary>
    /// Sixteen outputs at a time of one output row: even and odd columns split by permutes, then the same strict
    /// comparisons in the same order as the scalar loop, lane by lane. Returns the first column left to the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ForwardRow(float* top, int w, int topIndex, int ow, float* y, int* argmax)
    {
        Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> odd = even + Vector512<int>.One;
        int xx = 0;
        for (; xx + 16 <= ow; xx += 16)
        {
            float* t = top + 2 * xx, b = t + w;
            Vector512<float> t0 = Vector512.Load(t), t1 = Vector512.Load(t + 16), b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            var max = Avx512F.PermuteVar16x32x2(t0, even, t1);
            var corner = Vector512.Create(topIndex + 2 * xx) + even;
            var best = corner;
            Take(Avx512F.PermuteVar16x32x2(t0, odd, t1), corner + Vector512<int>.One, ref max, ref best);
            Take(Avx512F.PermuteVar16x32x2(b0, even, b1), corner + Vector512.Create(w), ref max, ref best);
            Take(Avx512F.PermuteVar16x32x2(b0, odd, b1), corner + Vector512.Create(w + 1), ref max, ref best);
            max.Store(y + xx);
            best.Store(argmax + xx);
        }
        return xx;
    }

    /// <summary>Where candidate &gt; max (strictly, so the first of equal maxima stays), takes it and its index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector512<float> candidate, Vector512<int> index, ref Vector512<float> max, ref Vector512<int> best)
    {
        var greater = Vector512.GreaterThan(candidate, max);
        max = Vector512.ConditionalSelect(greater, candidate, max);
        best = Vector512.ConditionalSelect(greater.AsInt32(), index, best);
    }

    public static void Backward(Workers workers, Tensor gradOutput, int* argmax, Tensor gradInput)
    {
        int planes = gradInput.Shape.N * gradInput.Shape.C, plane = gradInput.Shape.H * gradInput.Shape.W;
        int outPlane = gradOutput.Length / planes;
        for (long i = 0; i < gradOutput.Length; i++)
            if ((uint)argmax[i] >= (uint)plane) throw new ArgumentException($"argmax {argmax[i]} is outside the input plane.");
        float* dy = gradOutput.Data(), dx = gradInput.Data();
        var job = new BackwardPlanes(dy, argmax, dx, plane, outPlane);
        workers.ForRanges(planes, 4, ref job);
    }

    private readonly struct BackwardPlanes(float* dy, int* argmax, float* dx, int plane, int outPlane) : IRangePiece
    {
        public void Run(int first, int count)
        {
            new Span<float>(dx + (long)first * plane, count * plane).Clear();
            for (int p = first; p < first + count; p++)
            for (int i = 0; i < outPlane; i++)
                dx[(long)p * plane + argmax[(long)p * outPlane + i]] += dy[(long)p * outPlane + i];
        }
    }
}
