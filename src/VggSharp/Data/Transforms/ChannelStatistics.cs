using VggSharp.Models;

namespace VggSharp.Data.Transforms;

/// <summary>
/// Per-channel statistics of a training set in the 0-255 pixel scale, over all pixels of all images: the mean
/// (for the paper's mean subtraction) and the channel covariance with its eigen-decomposition (for the colour
/// shift of Krizhevsky et al.). Plain float arrays, so it serialises as a few numbers (e.g. in safetensors metadata).
/// </summary>
/// <param name="Mean">The mean value of each channel (RGB order, or one gray value).</param>
/// <param name="Covariance">The channels x channels covariance, row-major.</param>
/// <param name="EigenValues">The covariance's eigenvalues, largest first.</param>
/// <param name="EigenVectors">The unit eigenvectors as rows: vector i is elements [i * channels, (i + 1) * channels).</param>
public sealed record ChannelStatistics(float[] Mean, float[] Covariance, float[] EigenValues, float[] EigenVectors)
{
    /// <summary>The number of channels (1 or 3).</summary>
    public int Channels => Mean.Length;

    /// <summary>Statistics from a mean and a covariance, decomposing the covariance (what a file needs to store).</summary>
    public static ChannelStatistics FromMoments(float[] mean, float[] covariance)
    {
        int n = mean.Length;
        if (n is not (1 or 3) || covariance.Length != n * n)
            throw new ArgumentException($"Statistics need 1 or 3 means and a square covariance, got {mean.Length} and {covariance.Length}.");
        var (values, vectors) = SymmetricEigen.Decompose(covariance.Select(v => (double)v).ToArray(), n);
        var statistics = new ChannelStatistics(mean.ToArray(), covariance.ToArray(), values.Select(v => (float)v).ToArray(), vectors.Select(v => (float)v).ToArray());
        statistics.Validate();
        return statistics;
    }

    /// <summary>The statistics of <paramref name="images"/> for a <paramref name="channels"/>-channel model, in order.</summary>
    public static ChannelStatistics Compute(IEnumerable<DecodedImage> images, int channels)
    {
        var accumulator = new ChannelStatisticsAccumulator(channels);
        foreach (var image in images) accumulator.Add(image);
        return accumulator.ToStatistics();
    }

    /// <summary>
    /// The statistics of every image of <paramref name="dataset"/> for a <paramref name="channels"/>-channel model,
    /// decoding on up to <paramref name="maxDegreeOfParallelism"/> threads (-1: all cores). The sums are exact
    /// integers, so the result does not depend on the thread count.
    /// </summary>
    public static ChannelStatistics Compute(IImageDataset dataset, int channels, int maxDegreeOfParallelism = -1) =>
        Compute(dataset, channels, dataset.Count, null, maxDegreeOfParallelism);

    /// <summary>
    /// The statistics of at most <paramref name="maxImages"/> images spread evenly over <paramref name="dataset"/> (a
    /// large set's mean is well estimated from a sample). Bad images are reported through <paramref name="onBadImage"/>
    /// and left out; the sum is exact, so the result does not depend on the thread count.
    /// </summary>
    public static ChannelStatistics Compute(IImageDataset dataset, int channels, int maxImages, Action<BadImage>? onBadImage,
        int maxDegreeOfParallelism = -1)
    {
        const int chunkSize = 16;
        int count = Math.Min(dataset.Count, Math.Max(1, maxImages));
        int chunks = (count + chunkSize - 1) / chunkSize;
        var partial = new ChannelStatisticsAccumulator[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, chunk =>
        {
            var accumulator = new ChannelStatisticsAccumulator(channels);
            for (int i = chunk * chunkSize; i < Math.Min(count, (chunk + 1) * chunkSize); i++)
            {
                int index = (int)((long)i * dataset.Count / count);
                try
                {
                    accumulator.Add(dataset.Load(index));
                }
                catch (ImageFormatException e)
                {
                    onBadImage?.Invoke(new BadImage(index, e.Source, e.Reason));
                }
            }
            partial[chunk] = accumulator;
        });
        var total = new ChannelStatisticsAccumulator(channels);
        foreach (var accumulator in partial) total.Add(accumulator);
        if (total.Pixels == 0) throw new InvalidOperationException($"None of the {count} images sampled for the data set's statistics could be read.");
        return total.ToStatistics();
    }

    /// <summary>The paper's preprocessing for these statistics: 0-255 pixels minus the mean, in RGB order.</summary>
    public Preprocessing ToMeanSubtraction() => new(1f, Mean.ToArray(), Enumerable.Repeat(1f, Channels).ToArray());

    /// <summary>Checks the array lengths and that every value is finite (after deserialising, say).</summary>
    public void Validate()
    {
        int n = Mean.Length;
        if (n is not (1 or 3) || Covariance.Length != n * n || EigenValues.Length != n || EigenVectors.Length != n * n)
            throw new ArgumentException($"Channel statistics need 1 or 3 means, {n}x{n} covariance and eigenvectors, {n} eigenvalues.");
        if (Mean.Concat(Covariance).Concat(EigenValues).Concat(EigenVectors).Any(v => !float.IsFinite(v)))
            throw new ArgumentException("Channel statistics must be finite.");
    }

    /// <inheritdoc />
    public bool Equals(ChannelStatistics? other) =>
        other is not null && Mean.SequenceEqual(other.Mean) && Covariance.SequenceEqual(other.Covariance) &&
        EigenValues.SequenceEqual(other.EigenValues) && EigenVectors.SequenceEqual(other.EigenVectors);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Mean.Length, Mean.FirstOrDefault(), Covariance.FirstOrDefault());
}
