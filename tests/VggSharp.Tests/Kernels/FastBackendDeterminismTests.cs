using VggSharp.Kernels;
using VggSharp.Kernels.Fast;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Kernels;

/// <summary>The fast backend gives the same bits on 1, 2 and 3 threads.</summary>
public class FastBackendDeterminismTests
{
    private static readonly int[] ThreadCounts = [1, 2, 3];

    [Fact]
    public void ConvolutionIsBitIdenticalAcrossThreadCounts()
    {
        using var input = TestData.Random(1, 2, 16, 30, 30);
        using var weight = TestData.Random(2, 32, 16, 3, 3);
        using var bias = TestData.Random(3, 32);
        using var gradOutput = TestData.Random(4, 2, 32, 30, 30);
        AssertSameAcrossThreads(backend =>
        {
            using var output = new Tensor(2, 32, 30, 30);
            using var gradInput = new Tensor(2, 16, 30, 30);
            using var gradWeight = TestData.Random(5, 32, 16, 3, 3);
            using var gradBias = TestData.Random(6, 32);
            backend.Conv2dForward(input, weight, bias, output, 1);
            backend.Conv2dBackwardData(gradOutput, weight, gradInput, 1);
            backend.Conv2dBackwardFilter(input, gradOutput, gradWeight, gradBias, 1);
            return [.. output.ToArray(), .. gradInput.ToArray(), .. gradWeight.ToArray(), .. gradBias.ToArray()];
        });
    }

    [Fact]
    public void ChunkedConvolutionIsBitIdenticalAcrossThreadCounts()
    {
        foreach (var (n, c, h, w, o, k, p) in BackendConformanceTests.ChunkedConvCases)
        {
            int outHeight = h + 2 * p - k + 1, outWidth = w + 2 * p - k + 1;
            using var input = TestData.Random(17, n, c, h, w);
            using var weight = TestData.Random(18, o, c, k, k);
            using var bias = TestData.Random(19, o);
            using var gradOutput = TestData.Random(20, n, o, outHeight, outWidth);
            AssertSameAcrossThreads(backend =>
            {
                using var output = new Tensor(n, o, outHeight, outWidth);
                using var gradInput = new Tensor(n, c, h, w);
                using var gradWeight = TestData.Random(21, o, c, k, k);
                using var gradBias = TestData.Random(22, o);
                backend.Conv2dForward(input, weight, bias, output, p);
                backend.Conv2dBackwardData(gradOutput, weight, gradInput, p);
                backend.Conv2dBackwardFilter(input, gradOutput, gradWeight, gradBias, p);
                return [.. output.ToArray(), .. gradInput.ToArray(), .. gradWeight.ToArray(), .. gradBias.ToArray()];
            });
        }
    }

    [Fact]
    public void LinearIsBitIdenticalAcrossThreadCounts()
    {
        using var input = TestData.Random(7, 7, 300);
        using var weight = TestData.Random(8, 200, 300);
        using var bias = TestData.Random(9, 200);
        using var gradOutput = TestData.Random(10, 7, 200);
        AssertSameAcrossThreads(backend =>
        {
            using var output = new Tensor(7, 200);
            using var gradInput = new Tensor(7, 300);
            using var gradWeight = TestData.Random(11, 200, 300);
            using var gradBias = TestData.Random(12, 200);
            backend.LinearForward(input, weight, bias, output);
            backend.LinearBackwardData(gradOutput, weight, gradInput);
            backend.LinearBackwardWeights(input, gradOutput, gradWeight, gradBias);
            return [.. output.ToArray(), .. gradInput.ToArray(), .. gradWeight.ToArray(), .. gradBias.ToArray()];
        });
    }

    [Fact]
    public void BatchNormIsBitIdenticalAcrossThreadCounts()
    {
        using var input = TestData.Random(13, 4, 9, 15, 15);
        using var gamma = TestData.Random(14, 9);
        using var beta = TestData.Random(15, 9);
        using var gradOutput = TestData.Random(16, 4, 9, 15, 15);
        AssertSameAcrossThreads(backend =>
        {
            using var runningMean = new Tensor(9);
            using var runningVariance = new Tensor(9);
            using var output = new Tensor(4, 9, 15, 15);
            using var mean = new Tensor(9);
            using var inverse = new Tensor(9);
            using var gradInput = new Tensor(4, 9, 15, 15);
            using var gradGamma = new Tensor(9);
            using var gradBeta = new Tensor(9);
            backend.BatchNormForwardTraining(input, gamma, beta, runningMean, runningVariance, 0.1f, 1e-5f, output, mean, inverse);
            backend.BatchNormBackward(input, gradOutput, gamma, mean, inverse, gradInput, gradGamma, gradBeta);
            float[] training = [.. output.ToArray(), .. runningMean.ToArray(), .. runningVariance.ToArray(), .. gradInput.ToArray(), .. gradGamma.ToArray(), .. gradBeta.ToArray()];
            backend.BatchNormForwardInference(input, gamma, beta, runningMean, runningVariance, 1e-5f, output);
            return [.. training, .. output.ToArray()];
        });
    }

    private static void AssertSameAcrossThreads(Func<IBackend, float[]> run)
    {
        var expected = run(new FastBackend(ThreadCounts[0]));
        foreach (int threads in ThreadCounts[1..])
            Assert.Equal(expected, run(new FastBackend(threads)));
    }
}
