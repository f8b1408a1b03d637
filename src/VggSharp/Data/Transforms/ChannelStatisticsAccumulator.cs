using System.Runtime.CompilerServices;

namespace VggSharp.Data.Transforms;

/// <summary>
/// Running sums for <see cref="ChannelStatistics"/>: pixel count, per-channel sums and sums of products, as exact
/// integers, so adding images or merging accumulators in any order gives the same result. A grayscale image counts
/// as R = G = B for a 3-channel model; an RGB image for a 1-channel model is refused, as the transforms refuse it.
/// </summary>
public sealed class ChannelStatisticsAccumulator
{
    private readonly long[] _sums;
    private readonly long[] _products;

    /// <summary>An empty accumulator for a model with <paramref name="channels"/> input channels (1 or 3).</summary>
    public ChannelStatisticsAccumulator(int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), $"Statistics are for 1 or 3 channels, got {channels}.");
        Channels = channels;
        _sums = new long[channels];
        _products = new long[channels * channels];
    }

    /// <summary>The model's channel count.</summary>
    public int Channels { get; }

    /// <summary>Pixels added so far.</summary>
    public long Pixels { get; private set; }

    /// <summary>Adds every pixel of <paramref name="image"/>.</summary>
    public void Add(DecodedImage image)
    {
        NetworkInput.CheckChannels(image.Channels, Channels);
        if (image.Channels == 3) AddRgb(image.Pixels);
        else AddGray(image.Pixels);
        Pixels = checked(Pixels + (long)image.Width * image.Height);
    }

    /// <summary>Adds the sums of another accumulator.</summary>
    public void Add(ChannelStatisticsAccumulator other)
    {
        if (other.Channels != Channels) throw new ArgumentException($"Cannot merge {other.Channels}-channel statistics into {Channels}-channel ones.");
        for (int i = 0; i < _sums.Length; i++) _sums[i] = checked(_sums[i] + other._sums[i]);
        for (int i = 0; i < _products.Length; i++) _products[i] = checked(_products[i] + other._products[i]);
        Pixels = checked(Pixels + other.Pixels);
    }

    /// <summary>The mean and covariance (normalised by the pixel count) and the covariance's eigen-decomposition.</summary>
    public ChannelStatistics ToStatistics()
    {
        if (Pixels == 0) throw new InvalidOperationException("No pixels were added, so there are no statistics.");
        int n = Channels;
        var mean = new double[n];
        for (int c = 0; c < n; c++) mean[c] = (double)_sums[c] / Pixels;
        var covariance = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                covariance[i * n + j] = (float)((double)_products[i * n + j] / Pixels - mean[i] * mean[j]);
        return ChannelStatistics.FromMoments(mean.Select(m => (float)m).ToArray(), covariance);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddRgb(ReadOnlySpan<byte> pixels)
    {
        long r = 0, g = 0, b = 0, rr = 0, rg = 0, rb = 0, gg = 0, gb = 0, bb = 0;
        for (int i = 0; i + 2 < pixels.Length; i += 3)
        {
            int pr = pixels[i], pg = pixels[i + 1], pb = pixels[i + 2];
            r += pr; g += pg; b += pb;
            rr += pr * pr; rg += pr * pg; rb += pr * pb;
            gg += pg * pg; gb += pg * pb; bb += pb * pb;
        }
        Span<long> sums = [r, g, b];
        Span<long> products = [rr, rg, rb, rg, gg, gb, rb, gb, bb];
        for (int i = 0; i < 3; i++) _sums[i] = checked(_sums[i] + sums[i]);
        for (int i = 0; i < 9; i++) _products[i] = checked(_products[i] + products[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddGray(ReadOnlySpan<byte> pixels)
    {
        long sum = 0, squares = 0;
        foreach (byte p in pixels)
        {
            sum += p;
            squares += p * p;
        }
        // A gray pixel is (v, v, v) to a colour model: every sum and every product is the same.
        for (int i = 0; i < _sums.Length; i++) _sums[i] = checked(_sums[i] + sum);
        for (int i = 0; i < _products.Length; i++) _products[i] = checked(_products[i] + squares);
    }
}
