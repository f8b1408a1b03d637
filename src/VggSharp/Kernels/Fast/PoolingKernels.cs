using System.Runtime.CompilerServices;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>2x2 stride-2 max pooling, parallel over planes (a plane is written by one worker, so argmax ties resolve as in the reference).</summary>
internal static unsafe class PoolingKernels
{
    public static void Forward(Workers workers, Tensor input, Tensor output, int* argmax)
    {
        int planes = input.Shape.N * input.Shape.C, h = input.Shape.H, w = input.Shape.W;
        float* x = input.Pointer(), y = output.Pointer();
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
            for (int xx = 0; xx < ow; xx++)
            {
                // Strict > in row-major order keeps the first of equal maxima, as the reference does.
                int column = 2 * xx, best = 2 * yy * w + column;
                float max = top[column];
                if (top[column + 1] > max) { max = top[column + 1]; best += 1; }
                if (bottom[column] > max) { max = bottom[column]; best = (2 * yy + 1) * w + column; }
                if (bottom[column + 1] > max) { max = bottom[column + 1]; best = (2 * yy + 1) * w + column + 1; }
                y[yy * ow + xx] = max;
                argmax[yy * ow + xx] = best;
            }
        }
    }

    public static void Backward(Workers workers, Tensor gradOutput, int* argmax, Tensor gradInput)
    {
        int planes = gradInput.Shape.N * gradInput.Shape.C, plane = gradInput.Shape.H * gradInput.Shape.W;
        int outPlane = gradOutput.Length / planes;
        for (long i = 0; i < gradOutput.Length; i++)
            if ((uint)argmax[i] >= (uint)plane) throw new ArgumentException($"argmax {argmax[i]} is outside the input plane.");
        float* dy = gradOutput.Pointer(), dx = gradInput.Pointer();
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
