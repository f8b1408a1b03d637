using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VggSharp.Data.Transforms;

/// <summary>
/// Resizes images by separable filtering with PIL's semantics (pixel centres at i + 0.5, the filter widened by the
/// scale factor when shrinking, so a strong shrink averages every pixel instead of aliasing): a horizontal pass,
/// then a vertical one. Like PIL, it rounds and clamps the intermediate to 8-bit values; the final
/// pass is clamped to [0, 255] and kept in float, or rounded when an 8-bit image is asked for.
/// </summary>
public static class Resampler
{
    /// <summary>Resizes to <paramref name="width"/> x <paramref name="height"/>, rounding to 8 bits.</summary>
    public static DecodedImage Resize(DecodedImage image, int width, int height, ResampleFilter filter)
    {
        int count = CheckedSampleCount(width, height, image.Channels);
        float[] scratch = ArrayPool<float>.Shared.Rent(count);
        try
        {
            Span<float> samples = scratch.AsSpan(0, count);
            ResizeRegion(image, width, height, new PixelRegion(0, 0, width, height), filter, samples);
            var pixels = new byte[count];
            for (int i = 0; i < count; i++) pixels[i] = (byte)(samples[i] + 0.5f);
            return new DecodedImage(width, height, image.Channels, pixels);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>Resizes to <paramref name="width"/> x <paramref name="height"/>, keeping float samples in [0, 255].</summary>
    public static FloatImage ResizeToFloat(DecodedImage image, int width, int height, ResampleFilter filter)
    {
        var pixels = new float[CheckedSampleCount(width, height, image.Channels)];
        ResizeRegion(image, width, height, new PixelRegion(0, 0, width, height), filter, pixels);
        return new FloatImage(width, height, image.Channels, pixels);
    }

    /// <summary>
    /// Computes only <paramref name="region"/> of the resize to <paramref name="width"/> x <paramref name="height"/>
    /// into <paramref name="destination"/> (HWC, region.Width x region.Height x channels): the same values as
    /// resizing whole and cropping, for the cost of the crop.
    /// </summary>
    internal static void ResizeRegion(DecodedImage image, int width, int height, PixelRegion region, ResampleFilter filter, Span<float> destination)
    {
        CheckedSampleCount(width, height, image.Channels);
        region.CheckInside(width, height);
        int channels = image.Channels, rowLength = region.Width * channels;
        if (destination.Length != region.Height * rowLength)
            throw new ArgumentException($"Destination holds {destination.Length} samples; the region needs {region.Height * rowLength}.");

        using var columns = ResampleWeights.Compute(image.Width, width, region.X, region.Width, filter);
        using var rows = ResampleWeights.Compute(image.Height, height, region.Y, region.Height, filter);
        // Only the input rows that some output row reads go through the horizontal pass.
        int firstRow = rows.Start[0];
        int rowCount = rows.Start[region.Height - 1] + rows.Taps[region.Height - 1] - firstRow;
        float[] rented = ArrayPool<float>.Shared.Rent(rowCount * rowLength);
        try
        {
            Span<float> horizontal = rented.AsSpan(0, rowCount * rowLength);
            for (int r = 0; r < rowCount; r++)
            {
                ReadOnlySpan<byte> source = image.Pixels.AsSpan((firstRow + r) * image.Width * channels, image.Width * channels);
                Span<float> target = horizontal.Slice(r * rowLength, rowLength);
                if (channels == 3) ResampleRowRgb(source, columns, target);
                else ResampleRowGray(source, columns, target);
                // PIL stores the intermediate as an 8-bit image; doing the same keeps results within 1 of PIL's.
                RoundToByteRange(target);
            }
            for (int y = 0; y < region.Height; y++)
            {
                Span<float> target = destination.Slice(y * rowLength, rowLength);
                target.Clear();
                int stride = rows.Stride;
                for (int k = 0; k < rows.Taps[y]; k++)
                    AddScaled(horizontal.Slice((rows.Start[y] + k - firstRow) * rowLength, rowLength), rows.Weights[y * stride + k], target);
                ClampToByteRange(target);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Checks an output size and returns its sample count, before anything is allocated.</summary>
    internal static int CheckedSampleCount(int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Output size {width}x{height} is not positive.");
        long count = (long)width * height * channels;
        if (count > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(width), $"Output size {width}x{height}x{channels} is too large.");
        return (int)count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ResampleRowRgb(ReadOnlySpan<byte> source, in ResampleWeights columns, Span<float> target)
    {
        int stride = columns.Stride;
        for (int x = 0; x < target.Length / 3; x++)
        {
            ReadOnlySpan<float> w = columns.Weights.AsSpan(x * stride, columns.Taps[x]);
            ReadOnlySpan<byte> s = source.Slice(columns.Start[x] * 3, w.Length * 3);
            float r = 0, g = 0, b = 0;
            for (int k = 0; k < w.Length; k++)
            {
                r += w[k] * s[3 * k];
                g += w[k] * s[3 * k + 1];
                b += w[k] * s[3 * k + 2];
            }
            target[3 * x] = r;
            target[3 * x + 1] = g;
            target[3 * x + 2] = b;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ResampleRowGray(ReadOnlySpan<byte> source, in ResampleWeights columns, Span<float> target)
    {
        int stride = columns.Stride;
        for (int x = 0; x < target.Length; x++)
        {
            ReadOnlySpan<float> w = columns.Weights.AsSpan(x * stride, columns.Taps[x]);
            ReadOnlySpan<byte> s = source.Slice(columns.Start[x], w.Length);
            float sum = 0;
            for (int k = 0; k < w.Length; k++) sum += w[k] * s[k];
            target[x] = sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddScaled(ReadOnlySpan<float> source, float weight, Span<float> target)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            var t = MemoryMarshal.Cast<float, Vector<float>>(target);
            for (int v = 0; v < t.Length; v++) t[v] += s[v] * weight;
            i = t.Length * Vector<float>.Count;
        }
        for (; i < target.Length; i++) target[i] += source[i] * weight;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RoundToByteRange(Span<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            var max = new Vector<float>(255f);
            var half = new Vector<float>(0.5f);
            for (int j = 0; j < v.Length; j++) v[j] = Vector.Min(Vector.Max(Vector.Floor(v[j] + half), Vector<float>.Zero), max);
            i = v.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++) values[i] = Math.Clamp(MathF.Floor(values[i] + 0.5f), 0f, 255f);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ClampToByteRange(Span<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            var max = new Vector<float>(255f);
            for (int j = 0; j < v.Length; j++) v[j] = Vector.Min(Vector.Max(v[j], Vector<float>.Zero), max);
            i = v.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++) values[i] = Math.Clamp(values[i], 0f, 255f);
    }
}
