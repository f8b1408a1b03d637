using VggSharp.Randomness;

namespace VggSharp.Data.Transforms;

/// <summary>
/// The colour augmentation of Krizhevsky et al. (2012) that the paper uses: one offset per image, added to every
/// pixel, along the principal components of the training set's RGB covariance:
/// offset = sum_i alpha_i * sqrt(lambda_i) * p_i, alpha_i ~ N(0, sigma^2).
/// Krizhevsky et al. write lambda_i, a variance, whose size depends on the pixel scale (thousands in 0-255 units,
/// where sigma = 0.1 would shift by hundreds of levels); its square root, the standard deviation along p_i, makes
/// sigma a fraction of the data's spread in any scale. For grayscale the rule is the same with the one variance:
/// a brightness shift of alpha * the gray standard deviation.
/// </summary>
public static class ColourShift
{
    /// <summary>
    /// The offsets for one image, per channel of <paramref name="statistics"/> (RGB order) in the 0-255 scale: a pure
    /// function of (<paramref name="key"/>, component), so an image gets the same shift on any thread. Zero when
    /// <paramref name="sigma"/> is 0.
    /// </summary>
    public static void Offsets(ChannelStatistics statistics, float sigma, ulong key, Span<float> offsets)
    {
        int n = statistics.Channels;
        if (offsets.Length != n) throw new ArgumentException($"{offsets.Length} offsets for {n}-channel statistics.");
        if (!(sigma >= 0) || !float.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), $"The colour shift's sigma must be finite and non-negative, got {sigma}.");
        offsets.Clear();
        if (sigma == 0) return;
        for (int i = 0; i < n; i++)
        {
            // Tiny negative eigenvalues are rounding noise in a singular covariance (a gray set in RGB, say).
            double weight = sigma * CounterRandom.Normal(key, (ulong)i) * Math.Sqrt(Math.Max(statistics.EigenValues[i], 0f));
            for (int c = 0; c < n; c++) offsets[c] += (float)(weight * statistics.EigenVectors[i * n + c]);
        }
    }
}
