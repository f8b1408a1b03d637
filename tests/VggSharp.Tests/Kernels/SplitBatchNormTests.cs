using VggSharp.Kernels.Reference;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Kernels;

/// <summary>
/// The split batch-norm kernels that synchronised batch norm is built from: against the reference, against the same
/// backend's fused kernels, and the property distribution rests on (the sums of the parts of a batch are the batch's).
/// </summary>
public class SplitBatchNormTests
{
    private const double Tolerance = 1e-4;
    private static readonly ReferenceBackend Oracle = new();

    public static readonly int[][] Shapes = [[4, 5, 7, 13], [2, 17, 1, 1], [4, 3], [2, 3, 19, 19]];

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void SumsMatchReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var shape in Shapes)
        {
            int c = shape[1];
            using var input = Offset(TestData.Random(1, shape), 3f);
            using var mean = TestData.Random(2, c);
            double[] expected = new double[c], actual = new double[c];
            Oracle.BatchNormSums(input, null, expected);
            backend.BatchNormSums(input, null, actual);
            AssertClose(actual, expected, "sums");
            Oracle.BatchNormSums(input, mean, expected);
            backend.BatchNormSums(input, mean, actual);
            AssertClose(actual, expected, "squared deviations");

            using var gradOutput = TestData.Random(3, shape);
            double[] expectedGrad = new double[2 * c], actualGrad = new double[2 * c];
            Oracle.BatchNormGradientSums(input, gradOutput, mean, expectedGrad);
            backend.BatchNormGradientSums(input, gradOutput, mean, actualGrad);
            AssertClose(actualGrad, expectedGrad, "gradient sums");
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void SplitKernelsReproduceTheFusedOnes(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var shape in Shapes)
        {
            int c = shape[1], n = shape[0];
            long count = n * (shape.Aggregate(1, (a, b) => a * b) / n / c);
            using var input = Offset(TestData.Random(4, shape), -2f);
            using var gamma = TestData.Random(5, c);
            using var beta = TestData.Random(6, c);
            using var runningMean = new Tensor(c);
            using var runningVariance = new Tensor(c);
            using var fused = new Tensor(shape);
            using var mean = new Tensor(c);
            using var inverseStd = new Tensor(c);
            backend.BatchNormForwardTraining(input, gamma, beta, runningMean, runningVariance, 0.1f, 1e-5f, fused, mean, inverseStd);

            // Statistics from the sums, as synchronised batch norm forms them.
            double[] sums = new double[c], squares = new double[c];
            backend.BatchNormSums(input, null, sums);
            backend.BatchNormSums(input, mean, squares);
            for (int i = 0; i < c; i++)
            {
                Assert.Equal(mean.Span[i], (float)(sums[i] / count));
                Assert.Equal(inverseStd.Span[i], (float)(1 / Math.Sqrt(squares[i] / count + 1e-5f)), 6);
            }
            using var split = TestData.Random(7, shape);
            backend.BatchNormNormalize(input, gamma, beta, mean, inverseStd, split);
            if (name.StartsWith("fast", StringComparison.Ordinal)) Assert.Equal(fused.ToArray(), split.ToArray());
            else Assert.True(TestData.RelativeError(split.Span, fused.Span) <= Tolerance);

            using var gradOutput = TestData.Random(8, shape);
            using var fusedGrad = new Tensor(shape);
            using var gradGamma = new Tensor(c);
            using var gradBeta = new Tensor(c);
            backend.BatchNormBackward(input, gradOutput, gamma, mean, inverseStd, fusedGrad, gradGamma, gradBeta);
            var gradientSums = new double[2 * c];
            backend.BatchNormGradientSums(input, gradOutput, mean, gradientSums);
            using var splitGrad = TestData.Random(9, shape);
            backend.BatchNormBackwardData(input, gradOutput, gamma, mean, inverseStd, gradientSums, count, splitGrad);
            Assert.True(TestData.RelativeError(splitGrad.Span, fusedGrad.Span) <= Tolerance, $"input gradient of {string.Join("x", shape)}");
            for (int i = 0; i < c; i++)
            {
                Assert.Equal(gradBeta.Span[i], (float)gradientSums[i], 5);
                Assert.Equal(gradGamma.Span[i], (float)(gradientSums[c + i] * inverseStd.Span[i]), 5);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void TheSumsOfABatchsPartsGiveTheWholeBatchsGradient(string name)
    {
        var backend = TestBackends.Create(name);
        int[] shape = [6, 4, 5, 5];
        int c = shape[1];
        long count = 6 * 25;
        using var input = Offset(TestData.Random(10, shape), 1.5f);
        using var gradOutput = TestData.Random(11, shape);
        using var gamma = TestData.Random(12, c);
        using var mean = new Tensor(c);
        using var inverseStd = new Tensor(c);
        using var whole = new Tensor(shape);
        using (var output = new Tensor(shape))
        using (var runningMean = new Tensor(c))
        using (var runningVariance = new Tensor(c))
        using (var beta = new Tensor(c))
            backend.BatchNormForwardTraining(input, gamma, beta, runningMean, runningVariance, 0.1f, 1e-5f, output, mean, inverseStd);
        using (var gradGamma = new Tensor(c))
        using (var gradBeta = new Tensor(c))
            backend.BatchNormBackward(input, gradOutput, gamma, mean, inverseStd, whole, gradGamma, gradBeta);

        // Two "processes" holding 4 and 2 images: their sums added are the batch's, and each part's gradient is the whole's.
        var parts = new[] { (Start: 0, Count: 4), (Start: 4, Count: 2) };
        var total = new double[2 * c];
        foreach (var (start, length) in parts)
        {
            using var x = input.Items(start, length);
            using var dy = gradOutput.Items(start, length);
            var partSums = new double[2 * c];
            backend.BatchNormGradientSums(x, dy, mean, partSums);
            for (int i = 0; i < total.Length; i++) total[i] += partSums[i];
        }
        foreach (var (start, length) in parts)
        {
            using var x = input.Items(start, length);
            using var dy = gradOutput.Items(start, length);
            using var expected = whole.Items(start, length);
            using var actual = new Tensor(length, c, 5, 5);
            backend.BatchNormBackwardData(x, dy, gamma, mean, inverseStd, total, count, actual);
            Assert.True(TestData.RelativeError(actual.Span, expected.Span) <= Tolerance);
        }
    }

    [Fact]
    public void SplitKernelsRefuseMismatchedSums()
    {
        var backend = TestBackends.Create("fast");
        using var input = TestData.Random(13, 2, 3, 4, 4);
        using var perChannel = TestData.Random(14, 3);
        Assert.Throws<ArgumentException>(() => backend.BatchNormSums(input, null, new double[2]));
        Assert.Throws<ArgumentException>(() => backend.BatchNormGradientSums(input, input, perChannel, new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            backend.BatchNormBackwardData(input, input, perChannel, perChannel, perChannel, new double[6], 0, input));
    }

    private static Tensor Offset(Tensor t, float offset)
    {
        foreach (ref float v in t.Span) v += offset;
        return t;
    }

    private static void AssertClose(double[] actual, double[] expected, string what)
    {
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= Tolerance * Math.Max(scale, 1), $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }
}
