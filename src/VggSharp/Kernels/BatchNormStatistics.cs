namespace VggSharp.Kernels;

/// <summary>
/// A channel's batch-norm statistics from its sums, shared by the fast kernel and the synchronised layer so that one
/// process and a data-parallel job compute them with the same expressions, bit for bit. (The reference backend keeps
/// its own, as the independent oracle.)
/// </summary>
internal static class BatchNormStatistics
{
    /// <summary>
    /// From the channel's <paramref name="mean"/> and sum of squared deviations over <paramref name="count"/> values:
    /// updates the running mean and (unbiased) variance by <paramref name="momentum"/> and returns the inverse standard
    /// deviation that normalises the batch.
    /// </summary>
    public static float Update(double mean, double squares, long count, float momentum, float epsilon, ref float runningMean, ref float runningVariance)
    {
        double variance = squares / count, unbiased = count > 1 ? squares / (count - 1) : variance;
        runningMean = (float)((1 - momentum) * runningMean + momentum * mean);
        runningVariance = (float)((1 - momentum) * runningVariance + momentum * unbiased);
        return (float)(1.0 / Math.Sqrt(variance + epsilon));
    }
}
