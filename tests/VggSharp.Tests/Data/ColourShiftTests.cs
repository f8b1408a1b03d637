using VggSharp.Data.Transforms;
using VggSharp.Randomness;
using Xunit;

namespace VggSharp.Tests.Data;

public class ColourShiftTests
{
    internal static readonly ChannelStatistics Rgb = ChannelStatistics.FromMoments([120f, 115f, 100f],
        [4900f, 4400f, 3900f, 4400f, 4700f, 4100f, 3900f, 4100f, 4800f]);

    [Fact]
    public void ZeroSigmaIsTheIdentity()
    {
        var offsets = new float[] { 1, 2, 3 };
        ColourShift.Offsets(Rgb, 0f, 42, offsets);
        Assert.Equal([0f, 0f, 0f], offsets);
    }

    [Fact]
    public void SameKeySameShiftOtherKeyOtherShift()
    {
        float[] a = new float[3], b = new float[3], c = new float[3];
        ColourShift.Offsets(Rgb, 0.1f, CounterRandom.Key(7, 0, 12), a);
        ColourShift.Offsets(Rgb, 0.1f, CounterRandom.Key(7, 0, 12), b);
        ColourShift.Offsets(Rgb, 0.1f, CounterRandom.Key(7, 0, 13), c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ShiftsAverageToZeroWithTheCovarianceOfTheModel()
    {
        // offset = sum alpha_i sqrt(lambda_i) p_i, so E[offset] = 0 and Cov[offset] = sigma^2 * Covariance.
        const int draws = 20000;
        const float sigma = 0.1f;
        var sum = new double[3];
        var products = new double[9];
        var offsets = new float[3];
        for (int i = 0; i < draws; i++)
        {
            ColourShift.Offsets(Rgb, sigma, CounterRandom.Key(3, (ulong)i), offsets);
            for (int c = 0; c < 3; c++)
            {
                sum[c] += offsets[c];
                for (int d = 0; d < 3; d++) products[c * 3 + d] += offsets[c] * offsets[d];
            }
        }
        for (int c = 0; c < 3; c++)
        {
            double std = sigma * Math.Sqrt(Rgb.Covariance[c * 4]);
            Assert.True(Math.Abs(sum[c] / draws) < 4 * std / Math.Sqrt(draws), $"channel {c} mean {sum[c] / draws}");
            for (int d = 0; d < 3; d++)
                Assert.Equal(sigma * sigma * Rgb.Covariance[c * 3 + d], products[c * 3 + d] / draws, 0.05 * sigma * sigma * 4900);
        }
    }

    [Fact]
    public void GrayShiftIsAlphaTimesTheStandardDeviation()
    {
        var gray = ChannelStatistics.FromMoments([100f], [400f]);
        var offset = new float[1];
        ulong key = CounterRandom.Key(9, 1);
        ColourShift.Offsets(gray, 0.1f, key, offset);
        Assert.Equal(0.1 * CounterRandom.Normal(key, 0) * 20, offset[0], 1e-4);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => ColourShift.Offsets(Rgb, 0.1f, 1, new float[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ColourShift.Offsets(Rgb, -0.1f, 1, new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ColourShift.Offsets(Rgb, float.NaN, 1, new float[3]));
    }
}
