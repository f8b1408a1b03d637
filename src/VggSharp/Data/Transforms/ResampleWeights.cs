using System.Buffers;

namespace VggSharp.Data.Transforms;

/// <summary>
/// One axis of a separable resize, with PIL's conventions: output pixel i has centre (i + 0.5) * scale in input
/// coordinates; when shrinking, the filter is stretched by the scale factor (antialiasing), so every input pixel
/// contributes; the taps of each output are normalised to sum to 1. Arrays are rented and go back on dispose.
/// </summary>
internal readonly struct ResampleWeights : IDisposable
{
    private ResampleWeights(int[] start, int[] taps, float[] weights, int stride) =>
        (Start, Taps, Weights, Stride) = (start, taps, weights, stride);

    /// <summary>First input index of each output (relative to the first computed output).</summary>
    public int[] Start { get; }

    /// <summary>Number of input indices each output reads.</summary>
    public int[] Taps { get; }

    /// <summary>Weights, <see cref="Stride"/> per output.</summary>
    public float[] Weights { get; }

    /// <summary>The most taps any output can have.</summary>
    public int Stride { get; }

    /// <summary>Weights for outputs first .. first + count - 1 of a resize from inSize to outSize.</summary>
    public static ResampleWeights Compute(int inSize, int outSize, int first, int count, ResampleFilter filter)
    {
        double support = filter == ResampleFilter.Bicubic ? 2.0 : 1.0;
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        support *= filterScale;
        int stride = (int)Math.Ceiling(support) * 2 + 1;
        var start = ArrayPool<int>.Shared.Rent(count);
        var taps = ArrayPool<int>.Shared.Rent(count);
        var weights = ArrayPool<float>.Shared.Rent(count * stride);
        for (int i = 0; i < count; i++)
        {
            double centre = (first + i + 0.5) * scale;
            // Truncation after adding 0.5, as PIL rounds the support's ends.
            int lo = Math.Max((int)(centre - support + 0.5), 0);
            int hi = Math.Min((int)(centre + support + 0.5), inSize);
            double sum = 0;
            for (int k = lo; k < hi; k++) sum += Kernel(filter, (k - centre + 0.5) / filterScale);
            // The kernel is evaluated twice rather than buffered: strong shrinks have thousands of taps.
            for (int k = lo; k < hi; k++)
            {
                double w = Kernel(filter, (k - centre + 0.5) / filterScale);
                weights[i * stride + k - lo] = (float)(sum != 0 ? w / sum : w);
            }
            start[i] = lo;
            taps[i] = hi - lo;
        }
        return new ResampleWeights(start, taps, weights, stride);
    }

    private static double Kernel(ResampleFilter filter, double x)
    {
        x = Math.Abs(x);
        if (filter == ResampleFilter.Bilinear) return x < 1 ? 1 - x : 0;
        const double a = -0.5;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(Start);
        ArrayPool<int>.Shared.Return(Taps);
        ArrayPool<float>.Shared.Return(Weights);
    }
}
