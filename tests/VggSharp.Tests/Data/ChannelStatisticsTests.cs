using System.Text.Json;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using Xunit;

namespace VggSharp.Tests.Data;

public class ChannelStatisticsTests
{
    [Fact]
    public void MeanAndCovarianceOfAKnownSet()
    {
        // Pixels (a, 2a, 255 - a) for a uniform over 0..255: mean (127.5, 255, 127.5), Var a = (256^2 - 1) / 12.
        var pixels = new byte[256 * 3];
        for (int a = 0; a < 256; a++) (pixels[3 * a], pixels[3 * a + 1], pixels[3 * a + 2]) = ((byte)a, (byte)Math.Min(2 * a, 255), (byte)(255 - a));
        var images = new[] { new DecodedImage(16, 16, 3, pixels), new DecodedImage(256, 1, 3, pixels) };
        var stats = ChannelStatistics.Compute(images, 3);

        double[] g = Enumerable.Range(0, 256).Select(a => (double)Math.Min(2 * a, 255)).ToArray();
        double meanG = g.Average();
        double var = (256.0 * 256 - 1) / 12;
        double covAG = Enumerable.Range(0, 256).Select(a => (a - 127.5) * (g[a] - meanG)).Average();
        double varG = g.Select(v => (v - meanG) * (v - meanG)).Average();
        Assert.Equal(new[] { 127.5, meanG, 127.5 }, stats.Mean.Select(m => (double)m), new Tolerance(1e-4));
        double[] expected = [var, covAG, -var, covAG, varG, -covAG, -var, -covAG, var];
        Assert.Equal(expected, stats.Covariance.Select(v => (double)v), new Tolerance(1e-2));
    }

    [Fact]
    public void GrayImagesCountAsEqualChannelsForAColourModel()
    {
        var gray = new DecodedImage(2, 1, 1, [10, 30]);
        var stats = ChannelStatistics.Compute([gray], 3);
        Assert.Equal([20f, 20f, 20f], stats.Mean);
        Assert.All(stats.Covariance, v => Assert.Equal(100f, v));
        // All the variance lies along (1, 1, 1) / sqrt 3.
        Assert.Equal(300f, stats.EigenValues[0], 3);
        Assert.All(stats.EigenVectors.Take(3), v => Assert.Equal(1 / MathF.Sqrt(3), v, 5));
    }

    [Fact]
    public void RgbImagesAreRefusedForAGrayModel() =>
        Assert.Throws<ArgumentException>(() => ChannelStatistics.Compute([ResamplerTests.Noise(2, 2, 3, 1)], 1));

    [Fact]
    public void EmptySetHasNoStatistics() =>
        Assert.Throws<InvalidOperationException>(() => ChannelStatistics.Compute([], 3));

    [Fact]
    public void DatasetResultDoesNotDependOnThreads()
    {
        var dataset = new NoiseDataset(37);
        var one = ChannelStatistics.Compute(dataset, 3, maxDegreeOfParallelism: 1);
        var many = ChannelStatistics.Compute(dataset, 3, maxDegreeOfParallelism: 4);
        var sequential = ChannelStatistics.Compute(Enumerable.Range(0, dataset.Count).Select(i => dataset.Load(i)), 3);
        Assert.Equal(one, many);
        Assert.Equal(one, sequential);
    }

    [Fact]
    public void RoundTripsThroughJsonAndMoments()
    {
        var stats = ChannelStatistics.Compute(Enumerable.Range(0, 4).Select(i => ResamplerTests.Noise(9, 7, 3, i)), 3);
        var json = JsonSerializer.Serialize(stats, PersistedJson.Default.ChannelStatistics);
        Assert.Equal(stats, JsonSerializer.Deserialize(json, PersistedJson.Default.ChannelStatistics));
        Assert.Equal(stats, ChannelStatistics.FromMoments(stats.Mean, stats.Covariance));
        var mean = stats.ToMeanSubtraction();
        Assert.Equal(stats.Mean, mean.Mean);
        Assert.Throws<ArgumentException>(() => (stats with { EigenValues = [1f] }).Validate());
    }

    [Theory]
    [InlineData(new double[] { 4 })]
    [InlineData(new double[] { 2, 1, 0, 1, 2, 0, 0, 0, 5 })]
    [InlineData(new double[] { 3000, 2800, 2500, 2800, 2900, 2600, 2500, 2600, 3100 })]
    [InlineData(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 })]
    [InlineData(new double[] { 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new double[] { 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    public void EigenDecompositionReconstructsTheMatrix(double[] matrix)
    {
        int n = (int)Math.Sqrt(matrix.Length);
        var (values, vectors) = SymmetricEigen.Decompose(matrix, n);
        double scale = Math.Max(1, matrix.Max(Math.Abs));
        for (int i = 0; i < n; i++)
        {
            if (i > 0) Assert.True(values[i] <= values[i - 1]);
            for (int j = 0; j < n; j++)
            {
                // V^T diag(values) V = A, and V V^T = I.
                double sum = 0, dot = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += vectors[k * n + i] * values[k] * vectors[k * n + j];
                    dot += vectors[i * n + k] * vectors[j * n + k];
                }
                Assert.Equal(matrix[i * n + j], sum, 1e-9 * scale);
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 1e-12);
            }
        }
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(y));
        public int GetHashCode(double obj) => 0;
    }

    private sealed class NoiseDataset(int count) : IImageDataset
    {
        public int Count => count;
        public IReadOnlyList<string> ClassNames => ["noise"];
        public int LabelOf(int index) => 0;
        public string Describe(int index) => $"noise {index}";
        public DecodedImage Load(int index, int? shortSideHint = null) =>
            index % 5 == 0 ? ResamplerTests.Noise(5 + index, 4, 1, index) : ResamplerTests.Noise(5 + index, 6, 3, index);
    }
}
